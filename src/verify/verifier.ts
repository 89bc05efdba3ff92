// The verification core behind the provider endpoint: provider keys -> ProviderResponse.
// Verdicts are cached per (policy revision, reference, image digest) with a TTL (shorter for
// negative verdicts; transient failures are never cached), identical lookups in flight are
// coalesced, registry requests are bounded by a semaphore, and every provider request is answered
// within a time budget below Gatekeeper's Provider timeout: keys still open then are reported as
// a systemError (not cached by Gatekeeper) while their lookups finish in the background and fill
// the cache for the next admission.
import type { Logger } from '../util/log.js';
import { parseProviderKey, policyRevision, type VerifierConfig } from './config.js';
import { DockerCfgError, parseDockerCfg } from './dockercfg.js';
import { ItemError, TransientError } from './errors.js';
import { KeyError, parsePublicKey, type PublicKey } from './keys.js';
import { Semaphore } from './limit.js';
import type { VerifyMetrics } from './metrics.js';
import { formatImage, parseImage, referencePattern, ReferenceError, type ImageRef } from './reference.js';
import { RegistryClient } from './registry.js';
import { verifyDigest } from './signatures.js';

export interface VerifierOptions {
  /** Answer within this many ms (keep it below the Provider's spec.timeout). Default 1500. */
  budgetMs?: number;
  /** TTL of a positive verdict. Default 300 s. */
  verdictTtlMs?: number;
  /** TTL of a negative verdict (no valid signature, access refused). Default 60 s. */
  negativeTtlMs?: number;
  /** TTL of a tag -> digest resolution. Default 30 s. */
  tagTtlMs?: number;
  /** Registry requests in flight, all policies together. Default 16. */
  concurrency?: number;
  /** A lookup left running after its request was answered stops after this long. Default 30 s. */
  workTimeoutMs?: number;
  /** One registry round trip. Default 10 s. */
  requestTimeoutMs?: number;
  /** Keys per provider request. Default 1024. */
  maxKeys?: number;
  /** Cached verdicts and tags (each). Default 10000. */
  maxCacheEntries?: number;
  metrics?: VerifyMetrics;
  logger?: Logger;
}

export interface ProviderItem {
  key: string;
  value?: string;
  error?: string;
}

export interface ProviderResponse {
  apiVersion: 'externaldata.gatekeeper.sh/v1beta1';
  kind: 'ProviderResponse';
  response: { idempotent: boolean; items: ProviderItem[]; systemError?: string };
}

interface RefState {
  index: number;
  pattern: RegExp;
  keys: PublicKey[];
  client: RegistryClient;
}

interface PolicyState {
  revision: string;
  refs: RefState[];
  /** Set when the policy's configuration is unusable (bad key, bad dockerCfg): fail closed. */
  broken?: string;
}

type Verdict = { verified: true; value: string; format: string } | { verified: false; error: string; reason: string };

interface Entry<T> {
  expires: number;
  value: T;
}

class TtlCache<T> {
  private readonly map = new Map<string, Entry<T>>();
  constructor(private readonly max: number) {}
  get size(): number {
    return this.map.size;
  }
  get(key: string): T | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: T, ttlMs: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: Date.now() + ttlMs });
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  clear(): void {
    this.map.clear();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Verifier {
  private policies: Map<string, PolicyState> | null = null;
  private readonly verdicts: TtlCache<Verdict>;
  private readonly tags: TtlCache<string>;
  private readonly inflight = new Map<string, Promise<Verdict>>();
  private readonly inflightTags = new Map<string, Promise<string>>();
  private readonly limiter: Semaphore;
  private readonly o: Required<Omit<VerifierOptions, 'metrics' | 'logger'>> & Pick<VerifierOptions, 'metrics' | 'logger'>;

  constructor(options: VerifierOptions = {}) {
    this.o = {
      budgetMs: 1500, verdictTtlMs: 300_000, negativeTtlMs: 60_000, tagTtlMs: 30_000, concurrency: 16,
      workTimeoutMs: 30_000, requestTimeoutMs: 10_000, maxKeys: 1024, maxCacheEntries: 10_000, ...options,
    };
    this.verdicts = new TtlCache(this.o.maxCacheEntries);
    this.tags = new TtlCache(this.o.maxCacheEntries);
    this.limiter = new Semaphore(this.o.concurrency);
  }

  get ready(): boolean {
    return this.policies !== null;
  }

  /** Loaded policies and their revisions (no keys, no credentials). */
  revisions(): Record<string, string> {
    return Object.fromEntries([...(this.policies ?? new Map<string, PolicyState>())].map(([n, p]) => [n, p.revision]));
  }

  /** Installs a configuration. A policy with an unusable key or dockerCfg fails closed alone. */
  load(config: VerifierConfig): void {
    const plainHttp = new Set(config.plainHttpRegistries ?? []);
    const observe = (op: string, status: string, seconds: number) => this.o.metrics?.registryLatency.observe({ op, status }, seconds);
    const next = new Map<string, PolicyState>();
    for (const p of config.policies) {
      const state: PolicyState = { revision: policyRevision(p), refs: [] };
      try {
        state.refs = p.references.map((r, index) => ({
          index,
          pattern: new RegExp(referencePattern(r.reference)),
          keys: r.publicKeys.map((k, i) => parsePublicKey(k, i)),
          client: new RegistryClient({
            ...(r.dockerCfg !== undefined ? { credentials: parseDockerCfg(r.dockerCfg) } : {}),
            ...(r.ca !== undefined ? { ca: r.ca } : {}),
            plainHttp, limiter: this.limiter, observe, requestTimeoutMs: this.o.requestTimeoutMs,
          }),
        }));
      } catch (e) {
        if (!(e instanceof KeyError || e instanceof DockerCfgError || e instanceof ReferenceError)) throw e;
        state.broken = e.message;
        this.o.logger?.error('policy configuration unusable; its images fail verification', { policy: p.name, reason: e.message });
      }
      next.set(p.name, state);
    }
    this.policies = next;
    // Entries of old revisions can no longer be reached (the revision is in every cache key);
    // clearing also drops tag resolutions made with credentials that may have been revoked.
    this.verdicts.clear();
    this.tags.clear();
    this.o.metrics?.policies.set(next.size);
    this.o.metrics?.cacheEntries.set(0);
  }

  /** Answers one ProviderRequest of the validation template: keys `<policy>[@<revision>]|<image>`. */
  async answer(keys: readonly string[]): Promise<ProviderResponse> {
    return this.respond(keys, 'verification', (key) => this.verifyKey(key), (kind, format) => this.o.metrics?.verifications.inc({ result: kind, format }));
  }

  /**
   * Answers one ProviderRequest of a mutator (Assign with externalData on container images): keys
   * are images as written; the value is the image pinned to the digest its tag resolves to now
   * (`<image>@sha256:<hex>`), through the credentials and CA of the first policy reference that
   * covers it, so that the digest verified is the digest that runs. An image with a digest, or
   * covered by no reference, comes back unchanged without a registry call.
   */
  async mutate(keys: readonly string[]): Promise<ProviderResponse> {
    return this.respond(keys, 'tag resolution', (key) => this.pinKey(key), (kind, format) => this.o.metrics?.mutations.inc({ result: kind, format }));
  }

  private async respond(
    keys: readonly string[], what: string, work: (key: string) => Promise<Verdict>,
    count: (result: 'verified' | 'not_verified' | 'error' | 'transient', format: string) => void,
  ): Promise<ProviderResponse> {
    const unique = [...new Set(keys)];
    if (unique.length > this.o.maxKeys) {
      return { apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderResponse', response: { idempotent: true, items: [], systemError: `too many keys in one request (${unique.length} > ${this.o.maxKeys})` } };
    }
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'budget'>((resolve) => {
      timer = setTimeout(() => resolve('budget'), this.o.budgetMs);
    });
    const items: ProviderItem[] = [];
    const transient: string[] = [];
    try {
      await Promise.all(unique.map(async (key) => {
        const running = work(key);
        const outcome = await Promise.race([running.then((v) => ({ v }), (e: unknown) => ({ e })), budget]);
        if (outcome === 'budget') {
          running.catch(() => undefined);
          transient.push(`${key}: ${what} did not finish within ${this.o.budgetMs} ms (continuing in the background; retry)`);
          count('transient', '');
          this.o.metrics?.failures.inc({ reason: 'budget' });
          return;
        }
        if ('v' in outcome) {
          const v = outcome.v;
          if (v.verified) {
            items.push({ key, value: v.value });
            count('verified', v.format);
          } else {
            items.push({ key, error: v.error });
            count('not_verified', '');
            this.o.metrics?.failures.inc({ reason: v.reason });
          }
          return;
        }
        const e = outcome.e;
        if (e instanceof TransientError) {
          transient.push(`${key}: ${e.message}`);
          count('transient', '');
          this.o.metrics?.failures.inc({ reason: e.reason });
        } else if (e instanceof ItemError) {
          items.push({ key, error: e.message });
          count('error', '');
          this.o.metrics?.failures.inc({ reason: e.reason });
        } else {
          // A bug or an unexpected failure: do not let Gatekeeper cache it.
          transient.push(`${key}: internal error`);
          this.o.logger?.error(`${what} failed unexpectedly`, { key, error: message(e) });
          this.o.metrics?.failures.inc({ reason: 'internal' });
        }
      }));
    } finally {
      clearTimeout(timer);
    }
    this.o.metrics?.cacheEntries.set(this.verdicts.size);
    const order = new Map(unique.map((k, i) => [k, i]));
    items.sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    const response: ProviderResponse['response'] = { idempotent: true, items };
    if (transient.length > 0) {
      // Keys with a transient failure get no item: Gatekeeper caches items, never systemError.
      response.systemError = transient.length <= 3 ? transient.join('; ') : `${transient.slice(0, 3).join('; ')}; and ${transient.length - 3} more`;
    }
    return { apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderResponse', response };
  }

  private async pinKey(key: string): Promise<Verdict> {
    if (!this.policies) throw new TransientError('verifier configuration not loaded yet', 'not_ready');
    let image: ImageRef;
    try {
      image = parseImage(key);
    } catch {
      // Not an image reference: leave it for validation to judge.
      return { verified: true, value: key, format: 'unchanged' };
    }
    if (image.digest !== undefined) return { verified: true, value: key, format: 'unchanged' };
    const normalised = formatImage(image);
    for (const [name, policy] of this.policies) {
      const ref = policy.refs.find((r) => r.pattern.test(normalised));
      if (!ref) continue;
      const digest = await this.resolveTag(`${name}@${policy.revision}|${ref.index}`, ref, image);
      return { verified: true, value: `${key}@${digest}`, format: 'pinned' };
    }
    return { verified: true, value: key, format: 'unchanged' };
  }

  private async verifyKey(key: string): Promise<Verdict> {
    const k = parseProviderKey(key);
    if (!k) throw new ItemError('malformed key: expected <policy>[@<revision>]|<image>', 'bad_key');
    if (!this.policies) throw new TransientError('verifier configuration not loaded yet', 'not_ready');
    const policy = this.policies.get(k.policy);
    if (!policy) throw new TransientError(`policy ${k.policy} is not in the verifier configuration (yet)`, 'unknown_policy');
    if (k.revision !== undefined && k.revision !== policy.revision) {
      throw new TransientError(`policy ${k.policy} is at revision ${policy.revision} in the verifier, the constraint asks for ${k.revision} (configuration not propagated yet)`, 'revision_mismatch');
    }
    if (policy.broken !== undefined) throw new ItemError(`policy ${k.policy} has an unusable configuration: ${policy.broken}`, 'bad_config');
    let image: ImageRef;
    try {
      image = parseImage(k.image);
    } catch (e) {
      throw new ItemError(`invalid image reference: ${message(e)}`, 'bad_image');
    }
    const normalised = formatImage(image);
    const ref = policy.refs.find((r) => r.pattern.test(normalised));
    if (!ref) throw new ItemError(`image matches no reference of policy ${k.policy}`, 'no_reference');
    const scope = `${k.policy}@${policy.revision}|${ref.index}`;
    const repo = `${image.registry}/${image.repository}`;
    const digest = image.digest ?? (await this.resolveTag(scope, ref, image));
    const cacheKey = `${scope}|${repo}@${digest}`;
    const cached = this.verdicts.get(cacheKey);
    if (cached) {
      this.o.metrics?.cache.inc({ cache: 'verdict', result: 'hit' });
      return cached;
    }
    let running = this.inflight.get(cacheKey);
    if (running) {
      this.o.metrics?.cache.inc({ cache: 'verdict', result: 'coalesced' });
      return running;
    }
    this.o.metrics?.cache.inc({ cache: 'verdict', result: 'miss' });
    running = this.lookup(ref, image, digest, k.policy).then(
      (v) => {
        this.verdicts.set(cacheKey, v, v.verified ? this.o.verdictTtlMs : this.o.negativeTtlMs);
        return v;
      },
      (e: unknown) => {
        // An access refusal is a definitive answer for now: cache it like a negative verdict.
        if (e instanceof ItemError) {
          const v: Verdict = { verified: false, error: e.message, reason: e.reason };
          this.verdicts.set(cacheKey, v, this.o.negativeTtlMs);
          return v;
        }
        throw e;
      },
    ).finally(() => this.inflight.delete(cacheKey));
    this.inflight.set(cacheKey, running);
    return running;
  }

  private async lookup(ref: RefState, image: ImageRef, digest: string, policy: string): Promise<Verdict> {
    const signal = AbortSignal.timeout(this.o.workTimeoutMs);
    const outcome = await verifyDigest(ref.client, { registry: image.registry, repository: image.repository, digest }, ref.keys, signal);
    const repo = `${image.registry}/${image.repository}`;
    if (outcome.verified) {
      this.o.logger?.debug('image verified', { policy, image: `${repo}@${digest}`, format: outcome.format, key: outcome.keyIndex });
      return { verified: true, value: `${repo}@${digest}`, format: outcome.format };
    }
    const why = outcome.found === 0
      ? `no cosign signature found for ${repo}@${digest}`
      : `no signature of ${repo}@${digest} verifies with the policy's keys (${outcome.found} examined${outcome.notes.length ? `: ${outcome.notes.slice(0, 3).join('; ')}` : ''})`;
    this.o.logger?.info('image not verified', { policy, image: `${repo}@${digest}`, reason: why });
    return { verified: false, error: why, reason: outcome.found === 0 ? 'unsigned' : 'bad_signature' };
  }

  private async resolveTag(scope: string, ref: RefState, image: ImageRef): Promise<string> {
    const tag = image.tag ?? 'latest';
    const key = `${scope}|${image.registry}/${image.repository}:${tag}`;
    const cached = this.tags.get(key);
    if (cached) {
      this.o.metrics?.cache.inc({ cache: 'tag', result: 'hit' });
      return cached;
    }
    let running = this.inflightTags.get(key);
    if (running) {
      this.o.metrics?.cache.inc({ cache: 'tag', result: 'coalesced' });
      return running;
    }
    this.o.metrics?.cache.inc({ cache: 'tag', result: 'miss' });
    running = ref.client.resolve(image.registry, image.repository, tag, AbortSignal.timeout(this.o.workTimeoutMs))
      .then((digest) => {
        this.tags.set(key, digest, this.o.tagTtlMs);
        return digest;
      })
      .finally(() => this.inflightTags.delete(key));
    this.inflightTags.set(key, running);
    return running;
  }
}
