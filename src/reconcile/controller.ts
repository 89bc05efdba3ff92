// The thin shell around compile() and plan(): level-triggered reconcile. Every watch event only
// marks the world dirty; one worker (p-queue, concurrency 1, debounced and coalesced) recomputes
// the whole desired state from the caches and converges. Only the leader writes.
import { CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import PQueue from 'p-queue';
import type { Check } from '../checks/types.js';
import { catalog as defaultCatalog } from '../checks/index.js';
import { compile } from '../compile/index.js';
import { SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { labelValue } from '../compile/names.js';
import { resolveSettings } from '../compile/settings.js';
import type { CompileSettings, Desired, PolicyInput } from '../compile/types.js';
import { describeError, isNotFound } from '../kube/errors.js';
import { applyObject, FIELD_MANAGER } from '../kube/ssa.js';
import { backoffDelay } from '../kube/watched.js';
import { MODULE_CONFIG_NAME } from '../cli/inputs.js';
import type { Logger } from '../util/log.js';
import type { EventSink, EventTarget } from './events.js';
import type { Metrics } from './metrics.js';
import { objectKey, plan, type Action, type LiveObject } from './plan.js';
import { desiredStatus, statusEqual, type ApplyResult, type PolicyStatus } from './status.js';
import { Sources } from './sources.js';

export interface ControllerOptions {
  kc: KubeConfig;
  logger: Logger;
  metrics: Metrics;
  events: EventSink;
  catalog?: readonly Check[];
  /** Namespace of the cluster's Gatekeeper (its Config lives there). */
  gatekeeperNamespace: string;
  fieldManager?: string;
  debounceMs?: number;
  /** Periodic resync: recompute everything even without events (writes nothing at rest). */
  resyncMs?: number;
  /** Re-check interval while constraints wait for their templates. */
  waitRequeueMs?: number;
  watchTimeoutSeconds?: number;
  now?: () => Date;
}

export interface ReconcileReport {
  actions: Action[];
  writes: number;
  failed: string[];
  waiting: number;
  skipped?: 'not-leader' | 'not-synced';
}

const POLICY_API = 'deckhouse.io/v1alpha1';

export class Controller {
  readonly sources: Sources;
  private readonly catalog: readonly Check[];
  private readonly api: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly fieldManager: string;
  private readonly now: () => Date;
  private leader = false;
  private stopped = false;
  private queued = false;
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private failures = 0;
  private converged = false;
  /** Undefined until settings were valid once: a fresh replica never falls back to looser defaults. */
  private lastGoodSettings: CompileSettings | undefined;
  /** Resource versions the server returned for our own applies: differences there are normalisation, not drift. */
  private readonly accepted = new Map<string, string>();
  private readonly reportedNamespaceIssues = new Set<string>();
  private lastReport: ReconcileReport | undefined;

  constructor(private readonly opts: ControllerOptions) {
    this.catalog = opts.catalog ?? defaultCatalog;
    this.log = opts.logger;
    this.metrics = opts.metrics;
    this.fieldManager = opts.fieldManager ?? FIELD_MANAGER;
    this.now = opts.now ?? (() => new Date());
    this.api = KubernetesObjectApi.makeApiClient(opts.kc);
    this.custom = opts.kc.makeApiClient(CustomObjectsApi);
    this.sources = new Sources(opts.kc, this.catalog, {
      gatekeeperNamespace: opts.gatekeeperNamespace,
      onChange: () => this.markDirty(),
      onEvent: (watch, e) => {
        this.metrics.watchEvents.inc({ watch, type: e.type });
        this.log.log(e.type === 'error' ? 'warn' : 'debug', `watch ${watch}: ${e.type}: ${e.reason}`);
      },
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
    });
  }

  /** Starts the caches; resolves once every cache holds its first list. */
  async start(): Promise<void> {
    await this.sources.start();
    const resyncMs = this.opts.resyncMs ?? 5 * 60_000;
    this.resync = setInterval(() => this.markDirty(), resyncMs);
    this.resync.unref();
    this.markDirty();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.debounce, this.retry]) if (t) clearTimeout(t);
    if (this.resync) clearInterval(this.resync);
    this.queue.clear();
    await this.queue.onIdle();
    await this.sources.stop();
  }

  setLeader(leader: boolean): void {
    this.leader = leader;
    this.metrics.leader.set(leader ? 1 : 0);
    if (!leader) this.converged = false;
    this.markDirty();
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Ready: caches synced and, on the leader, the first converge done. */
  get ready(): boolean {
    return this.sources.synced && (!this.leader || this.converged);
  }

  get report(): ReconcileReport | undefined {
    return this.lastReport;
  }

  /** Resolves when no reconcile is queued or running (tests). */
  async settled(): Promise<void> {
    for (;;) {
      await this.queue.onIdle();
      if (!this.debounce && !this.queued && this.queue.size === 0 && this.queue.pending === 0) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  markDirty(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.enqueue();
    }, this.opts.debounceMs ?? 200);
  }

  private enqueue(): void {
    if (this.stopped || this.queued) return;
    this.queued = true;
    this.metrics.queueDepth.set(1);
    void this.queue.add(async () => {
      this.queued = false;
      this.metrics.queueDepth.set(0);
      await this.runOnce();
    });
  }

  private async runOnce(): Promise<void> {
    const end = this.metrics.reconcileDuration.startTimer();
    try {
      const report = await this.reconcile();
      this.lastReport = report;
      if (report.failed.length > 0) {
        const f = report.failed;
        // One line per attempt: the first few failures and a count, not hundreds of them.
        throw new Error(f.length > 3 ? `${f.slice(0, 3).join('; ')}; and ${f.length - 3} more` : f.join('; '));
      }
      this.failures = 0;
      this.metrics.reconciles.inc({ result: report.skipped ?? (report.waiting > 0 ? 'waiting' : 'converged') });
      if (!report.skipped && report.waiting === 0 && this.leader) this.converged = true;
      if (report.waiting > 0) this.schedule(this.opts.waitRequeueMs ?? 2000);
    } catch (err) {
      this.failures += 1;
      this.metrics.reconciles.inc({ result: 'error' });
      this.metrics.errors.inc({ where: 'reconcile' });
      const delay = backoffDelay(this.failures - 1, { initialMs: 1000, maxMs: 60_000 });
      this.log.error(`reconcile failed (attempt ${this.failures}), retrying in ${delay} ms: ${describeError(err)}`);
      this.schedule(delay);
    } finally {
      end();
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.markDirty();
    }, ms);
  }

  /**
   * Effective settings: the ModuleConfig's when valid; else the last valid ones. A replica that
   * starts while the ModuleConfig is invalid has none: it returns undefined and the caller
   * changes nothing (the constraints in the cluster stay as they are) instead of applying the
   * defaults, which could be looser than what the cluster enforces.
   */
  private settings(): CompileSettings | undefined {
    const mc = this.sources.moduleConfigs.get(MODULE_CONFIG_NAME);
    const raw = (mc?.spec as { settings?: unknown } | undefined)?.settings ?? {};
    const r = resolveSettings(raw);
    if (r.ok) {
      this.lastGoodSettings = { ...r.settings, gatekeeperNamespace: this.opts.gatekeeperNamespace };
    } else if (mc) {
      const msg = r.errors.map((e) => `spec.settings.${e.field.replace(/^settings\./, '')}: ${e.message}`).join('; ');
      this.metrics.errors.inc({ where: 'settings' });
      this.warn({ apiVersion: POLICY_API, kind: 'ModuleConfig', name: MODULE_CONFIG_NAME, uid: mc.metadata?.uid }, 'InvalidSettings', `${msg}; keeping the last valid settings`);
    }
    return this.lastGoodSettings;
  }

  private warn(target: EventTarget, reason: string, message: string): void {
    this.log.warn(`${target.kind} ${target.name}: ${reason}: ${message}`);
    if (!this.leader) return;
    this.opts.events.record(target, 'Warning', reason, message).catch((err: unknown) => {
      this.metrics.errors.inc({ where: 'event' });
      this.log.warn(`could not record event: ${describeError(err)}`);
    });
  }

  /** One full pass: compile from the caches, plan against them, apply, report. */
  async reconcile(): Promise<ReconcileReport> {
    if (!this.sources.synced) return { actions: [], writes: 0, failed: [], waiting: 0, skipped: 'not-synced' };
    const settings = this.settings();
    if (!settings) return { actions: [], writes: 0, failed: ['the admission-policy-engine ModuleConfig is invalid and no valid settings are known yet; nothing is changed until it is fixed'], waiting: 0 };
    const policies: PolicyInput[] = [
      ...this.sources.securityPolicies.list().map((o) => ({ ...(o as Omit<PolicyInput, 'kind'>), kind: 'SecurityPolicy' as const })),
      ...this.sources.operationPolicies.list().map((o) => ({ ...(o as Omit<PolicyInput, 'kind'>), kind: 'OperationPolicy' as const })),
    ];
    const namespaces = this.sources.namespaces.list().map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
    const desired = compile({ settings, policies, namespaces }, this.catalog);
    this.recordMetrics(desired);
    if (!this.leader) return { actions: [], writes: 0, failed: [], waiting: 0, skipped: 'not-leader' };

    const templates = new Map(this.sources.templates.list().map((t) => [t.metadata?.name ?? '', t]));
    const templateReady = (name: string) => (templates.get(name)?.status as { created?: boolean } | undefined)?.created === true;
    // Never plan against a constraint cache that has not listed yet; give up this pass (and retry
    // with backoff) rather than stall the queue if a list keeps failing.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sources.watchConstraints(this.catalog.filter((c) => templateReady(c.kind.toLowerCase())).map((c) => c.kind)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('constraint caches did not sync within 30 s')), 30_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }

    const live = new Map<string, LiveObject>();
    const add = (o: unknown) => {
      const obj = o as LiveObject;
      live.set(objectKey(obj), obj);
    };
    this.sources.templates.list().forEach(add);
    this.sources.configs.list().forEach(add);
    for (const w of this.sources.constraints.values()) w.list().forEach(add);
    const retain = new Set(desired.policies.filter((p) => !p.valid && p.name).map((p) => `${p.kind}/${labelValue(p.name)}`));
    const actions = plan(desired.objects, {
      objects: live,
      complete: this.sources.synced,
      templateReady,
      driftAccepted: (key, obj) => this.accepted.get(key) === (obj.metadata as { resourceVersion?: string }).resourceVersion,
    }, { retainSources: retain });

    let writes = 0;
    const failed: string[] = [];
    const perSource = new Map<string, ApplyResult>();
    const resultFor = (labels: Record<string, string> | undefined): ApplyResult => {
      const key = `${labels?.[SOURCE_KIND_LABEL] ?? ''}/${labels?.[SOURCE_NAME_LABEL] ?? ''}`;
      let r = perSource.get(key);
      if (!r) perSource.set(key, (r = { waiting: 0, failed: [] }));
      return r;
    };
    let waiting = 0;
    for (const action of actions) {
      const obj = action.object;
      const what = `${obj.kind}/${obj.metadata.name}`;
      if (action.type === 'wait') {
        waiting += 1;
        resultFor(obj.metadata.labels).waiting += 1;
        continue;
      }
      try {
        if (action.type === 'apply') {
          writes += 1;
          this.metrics.apiWrites.inc({ verb: 'apply', kind: obj.kind });
          const applied = await applyObject(this.api, action.object as never, this.fieldManager);
          const rv = (applied as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
          if (rv) this.accepted.set(objectKey(obj), rv);
          this.log.info(`applied ${what} (${action.reason})`);
        } else {
          writes += 1;
          this.metrics.apiWrites.inc({ verb: 'delete', kind: obj.kind });
          try {
            await this.api.delete(obj);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
          this.accepted.delete(objectKey(obj));
          this.log.info(`deleted ${what}`);
        }
      } catch (err) {
        const msg = `${action.type} ${what}: ${describeError(err)}`;
        this.metrics.errors.inc({ where: 'apply' });
        failed.push(msg);
        resultFor(obj.metadata.labels).failed.push(msg);
        this.log.warn(msg);
      }
    }
    writes += await this.updateStatuses(desired, perSource, actions);
    this.reportNamespaces(desired);
    return { actions, writes, failed, waiting };
  }

  private recordMetrics(desired: Desired): void {
    this.metrics.policies.reset();
    for (const p of desired.policies) this.metrics.policies.inc({ kind: p.kind, state: p.valid ? 'valid' : 'invalid' });
    this.metrics.desiredObjects.reset();
    for (const o of desired.objects) {
      const group = o.kind === 'ConstraintTemplate' ? 'template' : o.apiVersion.startsWith('constraints.') ? 'constraint' : 'config';
      this.metrics.desiredObjects.inc({ group });
    }
  }

  private async updateStatuses(desired: Desired, perSource: Map<string, ApplyResult>, actions: Action[]): Promise<number> {
    let writes = 0;
    for (const outcome of desired.policies) {
      if (!outcome.name) continue;
      const cache = outcome.kind === 'SecurityPolicy' ? this.sources.securityPolicies : this.sources.operationPolicies;
      const obj = cache.get(outcome.name);
      if (!obj) continue;
      const target: EventTarget = { apiVersion: POLICY_API, kind: outcome.kind, name: outcome.name, uid: obj.metadata?.uid };
      const result = perSource.get(`${outcome.kind}/${labelValue(outcome.name)}`) ?? { waiting: 0, failed: [] };
      const live = obj.status as PolicyStatus | undefined;
      const next = desiredStatus(outcome, result, live, this.now);
      if (!outcome.valid) this.warn(target, 'InvalidPolicy', next.conditions[0].message);
      const touched = actions.filter((a) => a.type !== 'wait' && a.object.metadata.labels?.[SOURCE_KIND_LABEL] === outcome.kind
        && a.object.metadata.labels?.[SOURCE_NAME_LABEL] === labelValue(outcome.name));
      if (touched.length > 0 && result.failed.length === 0) {
        const summary = touched.map((a) => `${a.type === 'delete' ? 'deleted' : 'applied'} ${a.object.kind}/${a.object.metadata.name}`).join(', ');
        this.log.info(`event ConstraintsUpdated on ${outcome.kind}/${outcome.name}: ${summary}`);
        this.opts.events.record(target, 'Normal', 'ConstraintsUpdated', summary).catch((err: unknown) => this.log.warn(`could not record event: ${describeError(err)}`));
      }
      if (statusEqual(live, next)) continue;
      writes += 1;
      this.metrics.apiWrites.inc({ verb: 'patch-status', kind: outcome.kind });
      try {
        await this.custom.patchClusterCustomObjectStatus(
          { group: 'deckhouse.io', version: 'v1alpha1', plural: outcome.kind === 'SecurityPolicy' ? 'securitypolicies' : 'operationpolicies', name: outcome.name, body: { status: next } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      } catch (err) {
        if (isNotFound(err)) continue; // deleted meanwhile
        this.metrics.errors.inc({ where: 'status' });
        this.log.warn(`status of ${outcome.kind}/${outcome.name}: ${describeError(err)}`);
      }
    }
    return writes;
  }

  private reportNamespaces(desired: Desired): void {
    const counts = new Map<string, number>();
    const current = new Set<string>();
    for (const issue of desired.namespaceIssues) {
      counts.set(issue.label, (counts.get(issue.label) ?? 0) + 1);
      const key = `${issue.namespace}/${issue.label}=${issue.value}`;
      current.add(key);
      if (this.reportedNamespaceIssues.has(key)) continue;
      this.reportedNamespaceIssues.add(key);
      const ns = this.sources.namespaces.get(issue.namespace);
      this.warn({ apiVersion: 'v1', kind: 'Namespace', name: issue.namespace, namespace: issue.namespace, uid: ns?.metadata?.uid }, 'InvalidLabel', issue.message);
    }
    for (const key of this.reportedNamespaceIssues) if (!current.has(key)) this.reportedNamespaceIssues.delete(key);
    this.metrics.invalidNamespaceLabels.reset();
    for (const [label, n] of counts) this.metrics.invalidNamespaceLabels.set({ label }, n);
  }
}
