// Independent observers of what the operator and Gatekeeper do, with timestamps:
//  - ConstraintObserver watches every Gatekeeper constraint kind (it watches the CRDs too, because
//    in an empty cluster the kinds only appear once the operator's templates are ingested) and
//    records when each constraint was first seen, when Gatekeeper first reported it enforced
//    (`status.byPod[].enforced`) and when it was deleted. Watches, not polling: a watch event
//    arrives within milliseconds of the write and costs the API server nothing per interval.
//  - AuditTail reads the API server's write audit log incrementally and keeps the operator's writes
//    with the server's own completion time (microsecond timestamps, same clock as ours).
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Api, Obj, WatchEventType, WatchHandle } from './api.js';

export const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';

export interface ConstraintRecord {
  seenAt: number;
  enforcedAt?: number;
  deletedAt?: number;
  /** Gatekeeper's audit result (total and listed violations, not the audit time), once audited. */
  audit?: string;
}

/** Constraint key as used here and by compile(): `<Kind>/<name>` (constraints are cluster-scoped). */
export const constraintKey = (kind: string, name: string) => `${kind}/${name}`;

/**
 * Tracks a set of expected constraint keys with counters updated per event, so waiting on 10,000
 * constraints costs O(1) per watch event rather than a scan.
 */
export class Tracker {
  readonly present = new Set<string>();
  readonly enforced = new Set<string>();
  /** Expected constraints Gatekeeper's audit has reported on. */
  readonly audited = new Set<string>();
  allPresentAt?: number;
  allEnforcedAt?: number;
  allAuditedAt?: number;
  allGoneAt?: number;
  private waiters = new Set<() => void>();

  constructor(readonly expected: ReadonlySet<string>, records: ReadonlyMap<string, ConstraintRecord>, now: number) {
    for (const key of expected) {
      const r = records.get(key);
      if (r && r.deletedAt === undefined) {
        this.present.add(key);
        if (r.enforcedAt !== undefined) this.enforced.add(key);
        if (r.audit !== undefined) this.audited.add(key);
      }
    }
    this.check(now);
  }

  /** @internal the observer's per-event hook */
  update(key: string, r: ConstraintRecord, now: number): void {
    if (!this.expected.has(key)) return;
    if (r.deletedAt !== undefined) {
      this.present.delete(key);
      this.enforced.delete(key);
      this.audited.delete(key);
    } else {
      this.present.add(key);
      if (r.enforcedAt !== undefined) this.enforced.add(key);
      if (r.audit !== undefined) this.audited.add(key);
    }
    this.check(now);
  }

  private check(now: number): void {
    const n = this.expected.size;
    if (this.allPresentAt === undefined && n > 0 && this.present.size === n) this.allPresentAt = now;
    if (this.allEnforcedAt === undefined && n > 0 && this.enforced.size === n) this.allEnforcedAt = now;
    if (this.allAuditedAt === undefined && n > 0 && this.audited.size === n) this.allAuditedAt = now;
    if (this.allPresentAt !== undefined && this.allGoneAt === undefined && this.present.size === 0) this.allGoneAt = now;
    for (const w of [...this.waiters]) w();
  }

  /** Resolves true once `cond` holds (re-checked on every change), false at the deadline. */
  until(cond: (t: Tracker) => boolean, timeoutMs: number): Promise<boolean> {
    if (cond(this)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(v);
      };
      const waiter = () => {
        if (cond(this)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

export class ConstraintObserver {
  readonly records = new Map<string, ConstraintRecord>();
  /** When each constraint kind's CRD was first seen established (the template ingested by Gatekeeper). */
  readonly kindsAt = new Map<string, number>();
  /** Keys currently present that carry the operator's managed-by label. */
  readonly managed = new Set<string>();
  private readonly trackers = new Set<Tracker>();
  private readonly kindWatches = new Map<string, { kind: string; handle?: WatchHandle; rv?: string }>();
  private crdWatch: WatchHandle | undefined;
  private crdRv: string | undefined;
  private stopped = false;
  /** Watch failures other than the routine end of a stream. */
  errors = 0;
  /**
   * When a constraint's audit result (not its audit time) changed: new input for the operator,
   * whose policy status reports it. Tells writes caused by Gatekeeper's audit from writes at rest.
   */
  readonly auditChanges: number[] = [];

  constructor(private readonly api: Api) {}

  start(): void {
    this.watchCrds();
  }

  /** Constraint kinds with an open watch. */
  watchedKinds(): Set<string> {
    return new Set([...this.kindWatches.values()].filter((w) => w.handle?.open).map((w) => w.kind));
  }

  get crdWatchOpen(): boolean {
    return this.crdWatch?.open ?? false;
  }

  track(expected: ReadonlySet<string>): Tracker {
    const t = new Tracker(expected, this.records, Date.now());
    this.trackers.add(t);
    return t;
  }

  untrack(t: Tracker): void {
    this.trackers.delete(t);
  }

  stop(): void {
    this.stopped = true;
    this.crdWatch?.stop();
    for (const w of this.kindWatches.values()) w.handle?.stop();
  }

  private watchCrds(): void {
    if (this.stopped) return;
    const rv = this.crdRv ? `&resourceVersion=${this.crdRv}` : '';
    this.crdWatch = this.api.watch(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=1&allowWatchBookmarks=true${rv}`, (type, obj) => {
      if (type === 'ERROR') {
        this.crdRv = undefined; // 410 Gone: start over from the current state
        return;
      }
      if (obj.metadata?.resourceVersion) this.crdRv = obj.metadata.resourceVersion;
      if (type === 'BOOKMARK') return;
      const spec = obj.spec as { group?: string; names?: { plural?: string; kind?: string } } | undefined;
      if (spec?.group !== CONSTRAINT_GROUP || !spec.names?.plural || !spec.names.kind) return;
      const plural = spec.names.plural;
      if (type === 'DELETED') {
        this.kindWatches.get(plural)?.handle?.stop();
        this.kindWatches.delete(plural);
        return;
      }
      const established = ((obj.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
        .some((c) => c.type === 'Established' && c.status === 'True');
      if (established && !this.kindWatches.has(plural)) {
        const w = { kind: spec.names.kind };
        this.kindWatches.set(plural, w);
        if (!this.kindsAt.has(w.kind)) this.kindsAt.set(w.kind, Date.now());
        this.watchKind(plural);
      }
    }, (err) => this.restart(err, () => this.watchCrds()));
  }

  private watchKind(plural: string): void {
    const w = this.kindWatches.get(plural);
    if (this.stopped || !w) return;
    const rv = w.rv ? `&resourceVersion=${w.rv}` : '';
    w.handle = this.api.watch(`/apis/${CONSTRAINT_GROUP}/v1beta1/${plural}?watch=1&allowWatchBookmarks=true${rv}`,
      (type, obj) => this.onConstraint(w, type, obj),
      (err) => this.restart(err, () => this.watchKind(plural)));
  }

  private onConstraint(w: { kind: string; rv?: string }, type: WatchEventType, obj: Obj): void {
    const now = Date.now();
    if (type === 'ERROR') {
      w.rv = undefined;
      return;
    }
    if (obj.metadata?.resourceVersion) w.rv = obj.metadata.resourceVersion;
    if (type === 'BOOKMARK' || !obj.metadata?.name) return;
    const key = constraintKey(w.kind, obj.metadata.name);
    let r = this.records.get(key);
    if (type === 'DELETED') {
      if (!r) return;
      r.deletedAt = now;
      this.managed.delete(key);
    } else {
      if (!r || r.deletedAt !== undefined) {
        r = { seenAt: now };
        this.records.set(key, r);
      }
      if (obj.metadata.labels?.['app.kubernetes.io/managed-by'] === 'admission-policy-engine') this.managed.add(key);
      const byPod = (obj.status as { byPod?: { enforced?: boolean }[] } | undefined)?.byPod;
      if (r.enforcedAt === undefined && byPod && byPod.length > 0 && byPod.every((p) => p.enforced === true)) r.enforcedAt = now;
      const status = obj.status as { totalViolations?: unknown; violations?: unknown } | undefined;
      if (typeof status?.totalViolations === 'number') {
        const audit = JSON.stringify([status.totalViolations, status.violations ?? []]);
        if (r.audit !== audit) {
          r.audit = audit;
          this.auditChanges.push(now);
        }
      }
    }
    for (const t of this.trackers) t.update(key, r, now);
  }

  private restart(err: Error | undefined, again: () => void): void {
    if (this.stopped) return;
    if (err) this.errors += 1;
    setTimeout(again, err ? 500 : 50).unref();
  }
}

export interface AuditRecord {
  verb: string;
  user: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  code?: number;
  /** Server time the request arrived (ms since epoch). */
  receivedAt: number;
  /** Server time the response completed (ms since epoch): admission webhooks and etcd included. */
  at: number;
}

/** Operator writes that count against "quiet": everything but its Lease renewals and Events. */
export const countsAsWrite = (r: AuditRecord) => r.resource !== 'leases' && r.resource !== 'events';

export class AuditTail {
  readonly records: AuditRecord[] = [];
  private offset = 0;
  private partial = '';

  /**
   * Keeps every write by `user` (the operator), and writes by `also.user` to `also.resources` (the
   * bench's own policy creates and deletes, whose completion is "policy created").
   */
  constructor(private readonly path: string, private readonly user: string, private readonly also?: { user: string; resources: string[] }) {}

  private wanted(line: string): boolean {
    if (line.includes(this.user)) return true;
    const a = this.also;
    return !!a && line.includes(`"username":"${a.user}"`) && a.resources.some((r) => line.includes(`"resource":"${r}"`));
  }

  /** Reads what the API server appended since the last call (the log is written before each response). */
  poll(): AuditRecord[] {
    if (!existsSync(this.path)) return this.records;
    const size = statSync(this.path).size;
    if (size <= this.offset) return this.records;
    const fd = openSync(this.path, 'r');
    try {
      const chunk = Buffer.alloc(8 * 1024 * 1024);
      while (this.offset < size) {
        const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - this.offset), this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.partial + chunk.toString('utf8', 0, n);
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        // Most lines are Gatekeeper's and the bench's own: skip them before parsing.
        for (const l of lines) if (this.wanted(l)) this.add(l);
      }
    } finally {
      closeSync(fd);
    }
    return this.records;
  }

  private add(line: string): void {
    const e = JSON.parse(line) as {
      stage: string; verb: string; user: { username: string }; stageTimestamp?: string; requestReceivedTimestamp: string;
      objectRef?: { apiGroup?: string; resource?: string; subresource?: string; name?: string; namespace?: string };
      responseStatus?: { code?: number };
    };
    if (e.stage !== 'ResponseComplete') return;
    if (e.user.username !== this.user && !(e.user.username === this.also?.user && this.also.resources.includes(e.objectRef?.resource ?? ''))) return;
    this.records.push({
      verb: e.verb, user: e.user.username, group: e.objectRef?.apiGroup ?? '', resource: e.objectRef?.resource ?? '',
      subresource: e.objectRef?.subresource, name: e.objectRef?.name, namespace: e.objectRef?.namespace,
      code: e.responseStatus?.code, receivedAt: Date.parse(e.requestReceivedTimestamp), at: Date.parse(e.stageTimestamp ?? e.requestReceivedTimestamp),
    });
  }

  /** The operator's writes (no Lease, no Event) completed in [from, to]. */
  writesBetween(from: number, to = Infinity): AuditRecord[] {
    return this.poll().filter((r) => r.user === this.user && r.at >= from && r.at <= to && countsAsWrite(r));
  }

  eventsBetween(from: number, to = Infinity): AuditRecord[] {
    return this.poll().filter((r) => r.user === this.user && r.at >= from && r.at <= to && r.resource === 'events');
  }

  /** The last kept record by `user` matching `pred`, completed at or after `from`. */
  find(from: number, pred: (r: AuditRecord) => boolean): AuditRecord | undefined {
    const rs = this.poll();
    for (let i = rs.length - 1; i >= 0 && rs[i].at >= from - 60_000; i--) if (rs[i].at >= from && pred(rs[i])) return rs[i];
    return undefined;
  }
}

/** `verb group/resource[/subresource] xN` lines, most frequent first. */
export function describeWrites(records: readonly AuditRecord[], limit = 8): string[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = `${r.verb} ${r.group ? `${r.group}/` : ''}${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.code && r.code >= 300 ? ` (HTTP ${r.code})` : ''}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, n]) => `${k} x${n}`);
}
