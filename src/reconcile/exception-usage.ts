// Who uses each SecurityPolicyException: an auditor must see every use of an allowance, and an
// exception nothing uses any more should be noticed and removed. The operator counts the workloads
// of the exception's namespace whose pod labels reference it (pod or container level) and writes
// that into the exception's status when it changes.
//
// Not a watch: Pods are the largest collection in a cluster, and keeping them in memory for a
// report would cost more than the operator's whole working set. Instead, each period, only the
// namespaces that hold exceptions are listed (paged), and only top-level objects count (a Pod
// owned by a ReplicaSet owned by a Deployment is one use: the Deployment).
import { EXCEPTION_GROUP, EXCEPTION_VERSION, exceptionReferences } from '../api/exception.js';
import { ApiError, listAll, type KubeClient } from '../kube/client.js';
import { describeError } from '../kube/errors.js';
import type { Logger } from '../util/log.js';
import { byCodePoint } from '../util/order.js';
import type { Metrics } from './metrics.js';

/** At most this many referencing objects are listed in a status (the count is exact). */
export const USED_BY_MAX = 20;

export interface Workload {
  kind: string;
  namespace: string;
  name: string;
  /** Labels of the Pods it makes (its own for a Pod, its pod template's for a controller). */
  podLabels: Readonly<Record<string, string>>;
}

export interface ExceptionStatus {
  usedBy: { count: number; objects: { kind: string; name: string; containers?: string[] }[] };
  message: string;
  observedGeneration?: number;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const labelsAt = (o: unknown, ...path: string[]): Record<string, string> => {
  let v: unknown = o;
  for (const p of path) v = isObject(v) ? v[p] : undefined;
  return isObject(v) ? (v as Record<string, string>) : {};
};

/** The workload kinds listed, with where their pod labels are. */
export const WORKLOAD_KINDS: readonly { kind: string; path: (ns: string) => string; podLabels: (o: Obj) => Record<string, string> }[] = [
  { kind: 'Pod', path: (ns) => `/api/v1/namespaces/${ns}/pods`, podLabels: (o) => labelsAt(o, 'metadata', 'labels') },
  { kind: 'ReplicationController', path: (ns) => `/api/v1/namespaces/${ns}/replicationcontrollers`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'Deployment', path: (ns) => `/apis/apps/v1/namespaces/${ns}/deployments`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'ReplicaSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/replicasets`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'StatefulSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/statefulsets`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'DaemonSet', path: (ns) => `/apis/apps/v1/namespaces/${ns}/daemonsets`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'Job', path: (ns) => `/apis/batch/v1/namespaces/${ns}/jobs`, podLabels: (o) => labelsAt(o, 'spec', 'template', 'metadata', 'labels') },
  { kind: 'CronJob', path: (ns) => `/apis/batch/v1/namespaces/${ns}/cronjobs`, podLabels: (o) => labelsAt(o, 'spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels') },
];

/** A listed object as a Workload, or undefined when a controller owns it (its owner is the use). */
export function toWorkload(kind: string, o: Obj, podLabels: Record<string, string>): Workload | undefined {
  const metadata = isObject(o.metadata) ? o.metadata : {};
  const owners = Array.isArray(metadata.ownerReferences) ? metadata.ownerReferences : [];
  if (owners.some((r) => isObject(r) && r.controller === true)) return undefined;
  if (typeof metadata.name !== 'string' || typeof metadata.namespace !== 'string') return undefined;
  return { kind, namespace: metadata.namespace, name: metadata.name, podLabels };
}

/** Per exception (`namespace/name`), the status its current users give it. Pure. */
export function exceptionUsage(exceptions: readonly { namespace: string; name: string; generation?: number }[], workloads: readonly Workload[]): Map<string, ExceptionStatus> {
  const users = new Map<string, { kind: string; name: string; containers?: string[] }[]>();
  for (const e of exceptions) users.set(`${e.namespace}/${e.name}`, []);
  for (const w of workloads) {
    const refs = exceptionReferences(w.podLabels);
    // Containers per referenced exception; the pod label counts as "the whole pod".
    const byException = new Map<string, { pod: boolean; containers: string[] }>();
    const entry = (name: string) => {
      let e = byException.get(name);
      if (!e) byException.set(name, (e = { pod: false, containers: [] }));
      return e;
    };
    if (refs.pod) entry(refs.pod).pod = true;
    for (const [container, name] of refs.containers) entry(name).containers.push(container);
    for (const [name, use] of byException) {
      const list = users.get(`${w.namespace}/${name}`);
      if (!list) continue; // names an exception that does not exist: the checks report that
      const user: { kind: string; name: string; containers?: string[] } = { kind: w.kind, name: w.name };
      if (!use.pod) user.containers = use.containers.sort(byCodePoint);
      list.push(user);
    }
  }
  const out = new Map<string, ExceptionStatus>();
  for (const e of exceptions) {
    const key = `${e.namespace}/${e.name}`;
    const list = (users.get(key) ?? []).sort((a, b) => byCodePoint(a.kind, b.kind) || byCodePoint(a.name, b.name));
    const status: ExceptionStatus = {
      usedBy: { count: list.length, objects: list.slice(0, USED_BY_MAX) },
      message: list.length === 0
        ? 'no workload in the namespace references this exception; remove it if it is no longer needed'
        : `referenced by ${list.length} workload(s)`,
    };
    if (e.generation !== undefined) status.observedGeneration = e.generation;
    out.set(key, status);
  }
  return out;
}

const API = `/apis/${EXCEPTION_GROUP}/${EXCEPTION_VERSION}`;

export interface ExceptionStatusDeps {
  client: KubeClient;
  logger: Logger;
  metrics: Metrics;
  isLeader: () => boolean;
  periodMs: number;
}

/** Periodically writes each exception's `status.usedBy` (leader only, only when it changed). */
export class ExceptionStatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly d: ExceptionStatusDeps) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.runOnce().then(() => undefined, (err: unknown) => {
        this.d.metrics.errors.inc({ where: 'exception-status' });
        this.d.logger.warn(`exception status: ${describeError(err)}`);
      }).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.d.periodMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: list exceptions, the workloads of their namespaces, and write changed statuses. Returns the writes. */
  async runOnce(): Promise<number> {
    if (!this.d.isLeader()) return 0;
    let exceptions: Obj[];
    try {
      exceptions = (await listAll<Obj>(this.d.client, `${API}/securitypolicyexceptions`)).items;
    } catch (err) {
      // The CRD is not installed: nothing to report.
      if (err instanceof ApiError && err.code === 404) return 0;
      throw err;
    }
    const refs = exceptions.map((e) => {
      const m = isObject(e.metadata) ? e.metadata : {};
      return { namespace: String(m.namespace), name: String(m.name), generation: typeof m.generation === 'number' ? m.generation : undefined, status: e.status };
    });
    const workloads: Workload[] = [];
    for (const ns of [...new Set(refs.map((r) => r.namespace))].sort(byCodePoint)) {
      for (const k of WORKLOAD_KINDS) {
        const list = await listAll<Obj>(this.d.client, k.path(encodeURIComponent(ns)));
        for (const o of list.items) {
          const w = toWorkload(k.kind, o, k.podLabels(o));
          if (w) workloads.push(w);
        }
      }
    }
    const usage = exceptionUsage(refs, workloads);
    let writes = 0;
    for (const r of refs) {
      const want = usage.get(`${r.namespace}/${r.name}`)!;
      if (sameStatus(r.status, want)) continue;
      if (!this.d.isLeader()) break;
      this.d.metrics.apiWrites.inc({ verb: 'patch-status', kind: 'SecurityPolicyException' });
      try {
        await this.d.client.request('PATCH', `${API}/namespaces/${encodeURIComponent(r.namespace)}/securitypolicyexceptions/${encodeURIComponent(r.name)}/status`, {
          body: { status: want }, contentType: 'application/merge-patch+json',
        });
        writes++;
      } catch (err) {
        // Deleted meanwhile: nothing to report on.
        if (err instanceof ApiError && err.code === 404) continue;
        throw err;
      }
    }
    return writes;
  }
}

function sameStatus(live: unknown, want: ExceptionStatus): boolean {
  if (!isObject(live)) return false;
  const norm = (s: Partial<ExceptionStatus>) => JSON.stringify({
    count: s.usedBy?.count ?? null,
    objects: (s.usedBy?.objects ?? []).map((o) => ({ kind: o.kind, name: o.name, containers: o.containers ?? null })),
    message: s.message ?? null,
    observedGeneration: s.observedGeneration ?? null,
  });
  return norm(live) === norm(want);
}
