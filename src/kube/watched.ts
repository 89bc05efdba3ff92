// A resilient list+watch cache of one resource type, on our own client (client-node's
// `makeInformer`/`ListWatch` stop for good on HTTP errors or a failed list, have no backoff, report
// their own stop() as an error and can run duplicate loops).
//
// One sequential loop per cache (single flight by construction):
//
//   LIST ──► WATCH from the list's resourceVersion (allowWatchBookmarks, timeoutSeconds)
//     ▲        │ ADDED/MODIFIED/DELETED: apply to the cache, onChange()
//     │        │ BOOKMARK: only advances the resume resourceVersion
//     │        ├─ normal end ........... re-WATCH from the last resourceVersion after a short pause
//     │        ├─ silent too long ...... (watchdog) re-WATCH from the last resourceVersion
//     │        ├─ other error .......... re-WATCH from the last resourceVersion after backoff
//     └────────┴─ 410 Gone/Expired ..... re-LIST (replaces the cache; onChange() only if it differs)
//
// A failed LIST is retried with backoff, forever; the previous cache stays in place meanwhile (a
// stale cache is better than an empty one: an empty one would look like "everything was deleted").
// Events only say "something changed" (level-triggered): consumers read list()/get() when they
// reconcile.
//
// Usage:
//   const policies = new Watched<SecurityPolicy>(kc, {
//     name: 'securitypolicies',
//     path: '/apis/deckhouse.io/v1alpha1/securitypolicies',
//     list: ({ labelSelector }) => custom.listClusterCustomObject({ group, version, plural, labelSelector }) as Promise<ListResult<SecurityPolicy>>,
//     onChange: () => reconciler.markDirty(),
//     onEvent: (e) => log.info(`watch ${e.type}: ${e.reason}`),
//   });
//   await policies.start();          // synced: policies.list(), policies.get(name)
//   ...
//   await policies.stop();
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../util/backoff.js';
import type { KubeClient } from './client.js';
import { describeError, httpStatus } from './errors.js';

/** The part of a Kubernetes object the cache needs. */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number };
}

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface WatchedEvent {
  /**
   * restart: the watch is rebuilt from the last resourceVersion (normal end, watchdog);
   * relist: the resume point expired (410), the cache is being rebuilt from a fresh LIST;
   * error: a LIST or WATCH failed; the reason says what and when the next attempt is.
   */
  type: 'restart' | 'relist' | 'error';
  reason: string;
}

export interface WatchedOptions<T> {
  /** For logs and metrics, e.g. "namespaces". */
  name: string;
  /** Watch path, e.g. `/api/v1/namespaces` or `/apis/deckhouse.io/v1alpha1/securitypolicies`. */
  path: string;
  /**
   * Lists the resource, honouring `labelSelector`. Called without a resourceVersion: the list is
   * a consistent read (a list served from an older cache could move the cache back in time).
   * Must return the list's `metadata.resourceVersion`; paginate inside if needed.
   */
  list: (opts: { labelSelector?: string }) => Promise<ListResult<T>>;
  labelSelector?: string;
  /** Sent with the watch (the list callback applies it itself), e.g. `metadata.name=<name>` for one object. */
  fieldSelector?: string;
  /** Called (not awaited) after any change to the cache. No payload: level-triggered. */
  onChange: () => void;
  /** Restarts, relists and errors, for metrics and logs. Never called for our own stop(). */
  onEvent?: (e: WatchedEvent) => void;
  /** Sent as the watch's `timeoutSeconds`; the server ends the watch after it. Default 300. */
  watchTimeoutSeconds?: number;
  /** Watchdog: rebuild the watch after this long without any event or bookmark. Default 10 min. */
  silenceTimeoutMs?: number;
  /** Retry delays: exponential from initialMs to maxMs, with jitter. Default 500 ms → 30 s. */
  backoff?: BackoffOptions;
  /** A LIST that takes longer counts as failed (a half-open connection would hang it). Default 2 min. */
  listTimeoutMs?: number;
  /**
   * Applied to every object before it is cached (as client-go's cache transforms): keep only what
   * consumers read (drop managedFields, unused status), so memory follows the data that matters.
   * A change that the transform removes (e.g. a status field nobody reads) updates the cache
   * without calling onChange: nothing a consumer reads moved.
   */
  transform?: (obj: T) => T;
}

export interface WatchedStats {
  /** LIST calls made (successful or not). */
  lists: number;
  /** WATCH requests opened. */
  watches: number;
  /** Watch events applied or skipped (ADDED, MODIFIED, DELETED, BOOKMARK). */
  events: number;
  /** Times onChange was called. */
  changes: number;
  restarts: number;
  relists: number;
  errors: number;
}

/** `namespace/name` for namespaced objects, `/name` for cluster-scoped ones. */
export function objectKey(name: string, namespace?: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOf(obj: KubernetesObject): string | undefined {
  const name = obj.metadata?.name;
  return name === undefined ? undefined : objectKey(name, obj.metadata?.namespace);
}

/** The object without its resourceVersion, as text: equal means nothing a consumer reads changed. */
function contentOf(obj: KubernetesObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata });
}

/** Same object (uid) at the same version: resourceVersions are opaque, compared only for equality. */
function sameVersion(a: KubernetesObject | undefined, b: KubernetesObject): boolean {
  return a !== undefined && a.metadata?.uid === b.metadata?.uid && a.metadata?.resourceVersion === b.metadata?.resourceVersion;
}

/** HTTP status of a list or watch failure: ApiException.code, the watch's `statusCode`, or a Status `code`. */
function statusOf(err: unknown): number | undefined {
  const s = httpStatus(err);
  if (s !== undefined) return s;
  const sc = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof sc === 'number' ? sc : undefined;
}

function describe(err: unknown): string {
  const text = describeError(err);
  const status = statusOf(err);
  return status !== undefined && !text.includes(String(status)) ? `HTTP ${status}: ${text}` : text;
}

/** How one watch request ended. */
type WatchEnd =
  | { kind: 'ended'; events: number; ms: number }
  | { kind: 'gone'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'silent' }
  | { kind: 'stopped' };

/** A watch that ends normally this soon without any event counts as a failure for backoff. */
const SHORT_WATCH_MS = 1000;

export class Watched<T extends KubernetesObject> {
  private readonly opts: WatchedOptions<T> & Required<Pick<WatchedOptions<T>, 'watchTimeoutSeconds' | 'silenceTimeoutMs' | 'backoff' | 'listTimeoutMs'>>;
  private cache = new Map<string, T>();
  private resourceVersion: string | undefined;
  private isSynced = false;
  private syncError: string | undefined;
  private stopped = false;
  private started: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopSignal: Promise<void>;
  private signalStop!: () => void;
  private abortWatch: (() => void) | undefined;
  private readonly counters: WatchedStats = { lists: 0, watches: 0, events: 0, changes: 0, restarts: 0, relists: 0, errors: 0 };

  constructor(private readonly client: KubeClient, opts: WatchedOptions<T>) {
    this.opts = {
      watchTimeoutSeconds: 300,
      silenceTimeoutMs: 10 * 60 * 1000,
      backoff: DEFAULT_BACKOFF,
      listTimeoutMs: 2 * 60 * 1000,
      ...opts,
    };
    this.stopSignal = new Promise((resolve) => {
      this.signalStop = resolve;
    });
  }

  /**
   * Starts the loop once (later calls return the same promise). Resolves once the first LIST is
   * cached; until then LIST is retried with backoff, forever. Rejects only if stop() comes first.
   * A stopped cache cannot be started again: make a new one.
   */
  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`watched ${this.opts.name}: start() after stop()`));
    if (this.started) return this.started;
    this.started = new Promise<void>((resolve, reject) => {
      this.loop = this.run(resolve).then(
        () => {
          if (!this.isSynced) reject(new Error(`watched ${this.opts.name}: stopped before the first list`));
        },
        (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
    return this.started;
  }

  /** Idempotent. Aborts the watch and any wait; no onChange or onEvent once called. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.signalStop();
      this.abortWatch?.();
    }
    await this.loop;
  }

  /** True once the first LIST is cached; stays true while reconnecting (the cache is then stale). */
  get synced(): boolean {
    return this.isSynced;
  }

  /** The last LIST/WATCH failure, cleared by the next successful LIST or watch event. */
  get lastSyncError(): string | undefined {
    return this.syncError;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  get stats(): Readonly<WatchedStats> {
    return { ...this.counters };
  }

  /** Snapshot of the cache sorted by namespace, then name. Objects are shared: do not mutate. */
  list(): T[] {
    return [...this.cache.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(objectKey(name, namespace));
  }

  private emit(type: WatchedEvent['type'], reason: string): void {
    if (this.stopped) return;
    if (type === 'restart') this.counters.restarts += 1;
    else if (type === 'relist') this.counters.relists += 1;
    else {
      this.counters.errors += 1;
      this.syncError = reason;
    }
    try {
      this.opts.onEvent?.({ type, reason });
    } catch {
      // A broken log/metrics hook must not break the cache.
    }
  }

  private changed(): void {
    if (this.stopped) return;
    this.counters.changes += 1;
    try {
      const r = this.opts.onChange() as unknown;
      if (r instanceof Promise) r.catch((err: unknown) => this.emit('error', `onChange failed: ${describe(err)}`));
    } catch (err) {
      this.emit('error', `onChange failed: ${describe(err)}`);
    }
  }

  /** Waits ms or until stop(); true if stopped. */
  private async sleep(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.stopSignal, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
    return this.stopped;
  }

  private async run(onSynced: () => void): Promise<void> {
    let needList = true;
    let failures = 0; // consecutive failures, for backoff
    const retryIn = (): number => backoffDelay(failures++, this.opts.backoff);
    while (!this.stopped) {
      if (needList) {
        try {
          await this.relist();
        } catch (err) {
          if (this.stopped) break;
          const ms = retryIn();
          this.emit('error', `list ${this.opts.name} failed: ${describe(err)}; retrying in ${ms} ms`);
          if (await this.sleep(ms)) break;
          continue;
        }
        if (this.stopped) break;
        needList = false;
        failures = 0;
        if (!this.isSynced) {
          this.isSynced = true;
          onSynced();
        }
      }
      const end = await this.watchOnce();
      let delay = 0;
      switch (end.kind) {
        case 'stopped':
          return;
        case 'gone':
          needList = true;
          this.emit('relist', `watch ${this.opts.name}: ${end.reason}`);
          break;
        case 'ended':
          if (end.events === 0 && end.ms < SHORT_WATCH_MS) {
            // A server that closes at once must not make us spin.
            delay = retryIn();
            this.emit('restart', `watch ${this.opts.name} closed after ${end.ms} ms without events; re-watching in ${delay} ms`);
          } else {
            failures = 0;
            delay = backoffDelay(0, this.opts.backoff);
            this.emit('restart', `watch ${this.opts.name} ended after ${end.ms} ms; re-watching in ${delay} ms`);
          }
          break;
        case 'silent':
          delay = retryIn();
          this.emit('restart', `watch ${this.opts.name} silent for ${this.opts.silenceTimeoutMs} ms; rebuilding in ${delay} ms`);
          break;
        case 'error':
          delay = retryIn();
          this.emit('error', `watch ${this.opts.name} failed: ${end.reason}; retrying in ${delay} ms`);
          break;
      }
      if (delay > 0 && (await this.sleep(delay))) break;
    }
  }

  /** LIST and replace the cache; onChange() only if the set of uid+resourceVersion differs. */
  private async relist(): Promise<void> {
    this.counters.lists += 1;
    const listing = this.opts.list({ labelSelector: this.opts.labelSelector });
    // Do not wait for a hanging LIST after stop() or past the timeout; a late result is dropped.
    listing.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`list timed out after ${this.opts.listTimeoutMs} ms`)), this.opts.listTimeoutMs);
    });
    const res = await Promise.race([listing, timeout, this.stopSignal.then(() => undefined)]).finally(() => clearTimeout(timer));
    if (res === undefined || this.stopped) return;
    const rv = res.metadata?.resourceVersion;
    if (!rv) throw new Error('list returned no metadata.resourceVersion');
    const next = new Map<string, T>();
    const transform = this.opts.transform;
    for (const raw of res.items) {
      const item = transform ? transform(raw) : raw;
      const key = keyOf(item);
      if (key !== undefined) next.set(key, item);
    }
    let differs = next.size !== this.cache.size;
    if (!differs) {
      for (const [key, item] of next) {
        if (!sameVersion(this.cache.get(key), item)) {
          differs = true;
          break;
        }
      }
    }
    this.cache = next;
    this.resourceVersion = rv;
    this.syncError = undefined;
    if (differs) this.changed();
  }

  /** Applies one watch event; true if the cache changed. */
  private apply(type: string, raw: T): boolean {
    const obj = type !== 'DELETED' && this.opts.transform ? this.opts.transform(raw) : raw;
    const key = keyOf(obj);
    if (key === undefined) return false;
    const current = this.cache.get(key);
    if (type === 'DELETED') {
      // A DELETED for an older incarnation (other uid) must not remove the new one.
      if (current === undefined || (current.metadata?.uid && obj.metadata?.uid && current.metadata.uid !== obj.metadata.uid)) return false;
      this.cache.delete(key);
      return true;
    }
    if (sameVersion(current, obj)) return false; // replay of what we already hold
    this.cache.set(key, obj);
    // With a transform, a new version may carry nothing consumers read (a status they drop).
    return !(this.opts.transform && current && current.metadata?.uid === obj.metadata?.uid && contentOf(current) === contentOf(obj));
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      const startedAt = Date.now();
      let events = 0;
      let settled = false;
      const controller = new AbortController();
      let watchdog: NodeJS.Timeout | undefined;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        clearTimeout(watchdog);
        this.abortWatch = undefined;
        // Our own abort makes the request fail with AbortError: ignored, settled.
        controller.abort();
        resolve(end);
      };
      const arm = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => finish({ kind: 'silent' }), this.opts.silenceTimeoutMs);
      };
      this.abortWatch = () => finish({ kind: 'stopped' });
      arm(); // also covers a connect that hangs
      this.counters.watches += 1;
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.opts.watchTimeoutSeconds,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      };
      const onEvent = (type: string, obj: unknown): void => {
        if (settled || this.stopped) return;
        arm();
        if (type === 'ERROR') {
          const status = obj as { code?: number; reason?: string; message?: string } | undefined;
          const reason = `${status?.code ?? '?'} ${status?.reason ?? ''}: ${status?.message ?? 'no message'}`;
          finish(status?.code === 410 ? { kind: 'gone', reason } : { kind: 'error', reason });
          return;
        }
        const o = obj as T | undefined;
        const rv = o?.metadata?.resourceVersion;
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK') return;
        events += 1;
        this.counters.events += 1;
        this.syncError = undefined;
        if (rv) this.resourceVersion = rv;
        if (type !== 'BOOKMARK' && o && this.apply(type, o)) this.changed();
      };
      const onDone = (err: unknown): void => {
        if (settled || this.stopped) return;
        if (err === null || err === undefined) finish({ kind: 'ended', events, ms: Date.now() - startedAt });
        else if (statusOf(err) === 410) finish({ kind: 'gone', reason: describe(err) });
        else finish({ kind: 'error', reason: describe(err) });
      };
      this.client.watch(this.opts.path, query, onEvent, controller.signal).then(() => onDone(null), (err: unknown) => onDone(err ?? new Error('watch failed')));
    });
  }
}
