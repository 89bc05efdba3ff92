// Lease-based leader election (client-node has none), following client-go's leaderelection:
// acquire a coordination.k8s.io Lease when it is absent, ours, released (no holder) or its record
// has not changed for its leaseDurationSeconds as observed locally (never trusting recorded
// timestamps: clocks skew); renew every retryPeriod; a replace with a stale resourceVersion (409)
// means another replica won. A leader that has not renewed for renewDeadline steps down, measured
// from the start of its last successful renew, so it stops before any other replica can judge the
// lease expired (renewDeadline < leaseDuration): never two leaders by our own view.
import type { KubeClient } from './client.js';

/** coordination.k8s.io/v1 LeaseSpec (times are MicroTime strings on the wire). */
interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  [k: string]: unknown;
}
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: LeaseSpec;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number | string): string {
  if (typeof ms === 'string') return ms;
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
import { describeError, isConflict, isNotFound } from './errors.js';

export interface LeaderElectorOptions {
  /** Namespace of the Lease (d8-system in the operator). */
  namespace: string;
  /** Lease name, e.g. "admission-policy-engine". */
  name: string;
  /** Unique per replica, e.g. pod name + random suffix. */
  identity: string;
  /** How long others wait after the last observed change before taking over. Default 15. */
  leaseDurationSeconds?: number;
  /** Step down when renewals have failed this long. Default 10; must be < leaseDurationSeconds. */
  renewDeadlineSeconds?: number;
  /** Interval between acquire/renew attempts. Default 2; must be < renewDeadlineSeconds. */
  retryPeriodSeconds?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  /** Called when the observed holder changes (also when it becomes us). */
  onNewLeader?: (identity: string) => void;
  /** Injectable clock (ms) for expiry and deadline judgements. Default Date.now. */
  now?: () => number;
  /** Diagnostics sink; default silent. */
  log?: (level: 'info' | 'warn', message: string) => void;
}

type LeaseRecord = Pick<LeaseSpec, 'holderIdentity' | 'leaseDurationSeconds' | 'acquireTime' | 'renewTime' | 'leaseTransitions'>;
const JITTER = 0.2; // acquire attempts wait retryPeriod * [1, 1.2)

function recordKey(spec: LeaseSpec | undefined): string {
  const s = spec ?? {};
  return JSON.stringify([s.holderIdentity ?? '', s.leaseDurationSeconds ?? 0, s.acquireTime ?? null, s.renewTime ?? null, s.leaseTransitions ?? 0]);
}

export class LeaderElector {
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  private observed: LeaseSpec | undefined;
  private observedKey = '';
  private observedTime = 0;
  private reportedLeader = '';
  private leading = false;
  private lastRenew = 0; // start of the last successful acquire/renew
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private inflight: AbortController | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(private readonly client: KubeClient, private readonly opts: LeaderElectorOptions) {
    this.now = opts.now ?? Date.now;
    this.leaseMs = (opts.leaseDurationSeconds ?? 15) * 1000;
    this.deadlineMs = (opts.renewDeadlineSeconds ?? 10) * 1000;
    this.retryMs = (opts.retryPeriodSeconds ?? 2) * 1000;
    if (!opts.identity) throw new Error('leader election: identity must not be empty');
    if (!(this.leaseMs > this.deadlineMs)) throw new Error('leader election: leaseDurationSeconds must be greater than renewDeadlineSeconds');
    if (!(this.deadlineMs > this.retryMs * (1 + JITTER)) || this.retryMs <= 0) throw new Error('leader election: renewDeadlineSeconds must be greater than 1.2 * retryPeriodSeconds > 0');
    if (!Number.isInteger(this.leaseMs / 1000)) throw new Error('leader election: leaseDurationSeconds must be a whole number');
  }

  /** True while we hold the lease and the last successful renew is within renewDeadline. */
  get isLeader(): boolean {
    return this.leading && this.now() - this.lastRenew < this.deadlineMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop, calls onStoppedLeading if leading, then releases the lease if we still hold it. */
  async stop(): Promise<void> {
    await this.halt();
    if (this.leading) this.stepDown();
    await this.release();
  }

  /** Test hook: stop every activity as if the process died (no callbacks, no release). */
  async crash(): Promise<void> {
    await this.halt();
    this.leading = false;
  }

  private async halt(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.inflight?.abort();
    await this.loop;
    this.loop = undefined;
    clearTimeout(this.deadlineTimer);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = this.now();
      const ok = await this.tryAcquireOrRenew(started);
      if (!this.running) break;
      if (ok && this.now() - started < this.deadlineMs) {
        this.lastRenew = started;
        if (!this.leading) {
          this.leading = true;
          this.opts.log?.('info', `leader election: ${this.opts.identity} acquired lease ${this.opts.namespace}/${this.opts.name}`);
          this.call(this.opts.onStartedLeading);
        }
        this.armDeadline();
      } else if (this.leading && this.now() - this.lastRenew >= this.deadlineMs) {
        this.stepDown();
      }
      await this.sleep(this.leading ? this.retryMs : this.retryMs * (1 + Math.random() * JITTER));
    }
  }

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    const left = this.lastRenew + this.deadlineMs - this.now();
    this.deadlineTimer = setTimeout(() => {
      if (!this.leading) return;
      if (this.now() - this.lastRenew >= this.deadlineMs) this.stepDown();
      else this.armDeadline();
    }, Math.max(left, 0));
  }

  private stepDown(): void {
    clearTimeout(this.deadlineTimer);
    if (!this.leading) return;
    this.leading = false;
    this.opts.log?.('warn', `leader election: ${this.opts.identity} stopped leading ${this.opts.namespace}/${this.opts.name}`);
    this.call(this.opts.onStoppedLeading);
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.('warn', `leader election callback failed: ${describeError(err)}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Per-attempt abort signal: hung requests end after renewDeadline (and on stop). */
  private attemptSignal(): AbortSignal {
    const ctl = new AbortController();
    this.inflight = ctl;
    return AbortSignal.any([ctl.signal, AbortSignal.timeout(this.deadlineMs)]);
  }

  private leasePath(withName = true): string {
    const { namespace, name } = this.opts;
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${withName ? `/${encodeURIComponent(name)}` : ''}`;
  }

  private observe(spec: LeaseSpec | undefined): void {
    const key = recordKey(spec);
    if (key !== this.observedKey) {
      this.observed = spec;
      this.observedKey = key;
      this.observedTime = this.now();
    }
    const holder = spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      const cb = this.opts.onNewLeader;
      if (cb) this.call(() => cb(holder));
    }
  }

  private async tryAcquireOrRenew(nowMs: number): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const signal = this.attemptSignal();
    const record = (prev: LeaseSpec | undefined): LeaseRecord => {
      // Keep acquireTime only when the record is ours; a takeover (also of a released lease) is a transition.
      const ours = prev !== undefined && prev.holderIdentity === identity;
      const acquired = ours && prev.acquireTime !== undefined ? prev.acquireTime : nowMs;
      return {
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseMs / 1000,
        acquireTime: microTime(acquired),
        renewTime: microTime(nowMs),
        leaseTransitions: (prev?.leaseTransitions ?? 0) + (prev && !ours ? 1 : 0),
      };
    };
    try {
      let lease: Lease;
      try {
        lease = await this.client.request<Lease>('GET', this.leasePath(), { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const created = await this.client.request<Lease>('POST', this.leasePath(false), {
          signal, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: record(undefined) },
        });
        this.observe(created.spec);
        return true;
      }
      this.observe(lease.spec);
      const holder = lease.spec?.holderIdentity ?? '';
      const duration = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
      if (holder && holder !== identity && this.observedTime + duration > this.now()) return false;
      const replaced = await this.client.request<Lease>('PUT', this.leasePath(), { signal, body: { ...lease, spec: { ...lease.spec, ...record(lease.spec ?? {}) } } });
      this.observe(replaced.spec);
      return true;
    } catch (err) {
      if (!isConflict(err) && this.running) this.opts.log?.('warn', `leader election: ${namespace}/${name}: ${describeError(err)}`);
      return false;
    }
  }

  /** Gives the lease up (no holder, leaseDurationSeconds 1) so a successor takes over at once. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    if ((this.observed?.holderIdentity ?? '') !== identity) return;
    try {
      const signal = this.attemptSignal();
      const lease = await this.client.request<Lease>('GET', this.leasePath(), { signal });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = microTime(this.now());
      const spec: LeaseSpec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
      const released = await this.client.request<Lease>('PUT', this.leasePath(), { signal, body: { ...lease, spec } });
      this.observe(released.spec);
    } catch (err) {
      this.opts.log?.('warn', `leader election: releasing ${namespace}/${name} failed: ${describeError(err)}`);
    }
  }
}
