// Scheduling for the level-triggered reconcile. Every watch event only marks the world dirty; one
// worker (p-queue, concurrency 1, debounced and coalesced) runs a full pass (reconciler.ts), with
// backoff after failures, a periodic resync and a re-check while constraints wait for templates.
// Only the leader writes.
import type { KubeClient } from '../kube/client.js';
import PQueue from 'p-queue';
import { PRODUCT_NAME } from '../api/types.js';
import type { Check } from '../checks/types.js';
import { catalog as defaultCatalog } from '../checks/index.js';
import type { Assets } from '../compile/assets.js';
import { describeError } from '../kube/errors.js';
import { backoffDelay } from '../util/backoff.js';
import type { Logger } from '../util/log.js';
import type { EventSink } from './events.js';
import type { Metrics } from './metrics.js';
import { Reconciler, type ReconcileReport } from './reconciler.js';
import { Sources } from './sources.js';
import type { ImageVerifierOptions } from './image-verifier.js';

export type { ReconcileReport } from './reconciler.js';

export interface ControllerOptions {
  client: KubeClient;
  logger: Logger;
  metrics: Metrics;
  events: EventSink;
  /** Rego sources and CRD schemas, loaded at the edge (src/cli/assets.ts). */
  assets: Assets;
  catalog?: readonly Check[];
  /** Namespace of the cluster's Gatekeeper (its Config lives there). */
  gatekeeperNamespace: string;
  fieldManager?: string;
  /**
   * Wait after the first event before a pass (default 20 ms): long enough to take a burst of
   * events in one pass, short enough not to show in how fast a policy takes effect.
   */
  debounceMs?: number;
  /** Periodic resync: recompute everything even without events (writes nothing at rest). */
  resyncMs?: number;
  /** Re-check interval while constraints wait for their templates. */
  waitRequeueMs?: number;
  watchTimeoutSeconds?: number;
  now?: () => Date;
  /** Where the image verifier runs (reconciler.ts); absent: no verifier wiring. */
  imageVerifier?: ImageVerifierOptions;
}

export class Controller {
  readonly sources: Sources;
  private readonly reconciler: Reconciler;
  private readonly queue = new PQueue({ concurrency: 1 });
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private leader = false;
  private stopped = false;
  private queued = false;
  private debounce: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private failures = 0;
  private converged = false;
  private lastReport: ReconcileReport | undefined;

  constructor(private readonly opts: ControllerOptions) {
    const catalog = opts.catalog ?? defaultCatalog;
    this.log = opts.logger;
    this.metrics = opts.metrics;
    this.sources = new Sources(opts.client, catalog, {
      gatekeeperNamespace: opts.gatekeeperNamespace,
      onChange: () => this.markDirty(),
      onEvent: (watch, e) => {
        this.metrics.watchEvents.inc({ watch, type: e.type });
        this.log.log(e.type === 'error' ? 'warn' : 'debug', `watch ${watch}: ${e.type}: ${e.reason}`);
      },
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
    });
    this.reconciler = new Reconciler({
      client: opts.client, sources: this.sources, assets: opts.assets, catalog, gatekeeperNamespace: opts.gatekeeperNamespace,
      fieldManager: opts.fieldManager ?? PRODUCT_NAME, events: opts.events, logger: opts.logger, metrics: opts.metrics,
      isLeader: () => this.leader, now: opts.now ?? (() => new Date()), imageVerifier: opts.imageVerifier,
    });
  }

  /** One full pass now (tests; the worker calls it through the queue). */
  reconcile(): Promise<ReconcileReport> {
    return this.reconciler.reconcile();
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
    }, this.opts.debounceMs ?? 20);
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
      // A programming error (not an API answer) needs its stack to be found.
      if (err instanceof TypeError || err instanceof RangeError) this.log.error(`reconcile failure stack: ${err.stack ?? ''}`);
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
}
