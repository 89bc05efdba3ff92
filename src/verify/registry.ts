// OCI distribution client: manifests (tag -> digest), blobs, the referrers API, and the auth
// flows registries use: anonymous first; on 401 a Bearer challenge (token from the realm, with the
// policy's credentials as Basic auth when it has some) or a Basic challenge. Tokens are cached per
// host, scope and credential until shortly before they expire.
//
// Our own client rather than a library: the OCI registry libraries on npm either need Node 22 or
// bring a large tree for the five GET endpoints needed here, and a policy's credentials and CA must
// stay scoped to its own registry calls.
import { createHash } from 'node:crypto';
import { ItemError, TransientError } from './errors.js';
import { request, TransportError, type HttpResponse } from './http.js';
import type { Credential } from './dockercfg.js';
import { apiHost } from './reference.js';
import type { Semaphore } from './limit.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  json: {
    mediaType?: string;
    artifactType?: string;
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
    subject?: Descriptor;
    annotations?: Record<string, string>;
  };
}

export interface RegistryOptions {
  /** Credentials by registry host (from the policy's dockerCfg). */
  credentials?: Map<string, Credential>;
  /** Extra CA (PEM) for this policy's registries. */
  ca?: string;
  /** Registries spoken to over plain HTTP (host:port), e.g. a test registry on loopback. */
  plainHttp?: ReadonlySet<string>;
  limiter?: Semaphore;
  /** Called with (operation, HTTP status or 'error', seconds) after every round trip. */
  observe?: (op: string, status: string, seconds: number) => void;
  requestTimeoutMs?: number;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

interface Token {
  header: string;
  expires: number;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (quoted values may hold commas). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return { scheme: '', params: {} };
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?\s*/g;
  for (const p of m[2].matchAll(re)) params[p[1].toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1].toLowerCase(), params };
}

export class RegistryClient {
  private readonly tokens = new Map<string, Token>();

  constructor(private readonly o: RegistryOptions = {}) {}

  private base(registry: string): string {
    const host = apiHost(registry);
    return `${this.o.plainHttp?.has(host) || this.o.plainHttp?.has(registry) ? 'http' : 'https'}://${host}`;
  }

  private credential(registry: string): Credential | undefined {
    return this.o.credentials?.get(registry) ?? this.o.credentials?.get(apiHost(registry));
  }

  private basicHeader(c: Credential): string {
    return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
  }

  private async timed(op: string, url: URL, init: Parameters<typeof request>[1]): Promise<HttpResponse> {
    const start = performance.now();
    const run = () => request(url, { timeoutMs: this.o.requestTimeoutMs ?? 10_000, ...init });
    try {
      const res = await (this.o.limiter ? this.o.limiter.run(run) : run());
      this.o.observe?.(op, String(res.status), (performance.now() - start) / 1000);
      return res;
    } catch (e) {
      this.o.observe?.(op, 'error', (performance.now() - start) / 1000);
      if (e instanceof TransportError) throw new TransientError(`registry unreachable: ${e.message}`, 'registry_unreachable');
      throw e;
    }
  }

  private tokenKey(registry: string, scope: string): string {
    const c = this.credential(registry);
    // The credential is part of the key only as a hash: two policies with different credentials
    // for one registry never share a token.
    const who = c ? createHash('sha256').update(`${c.username}\0${c.password}`).digest('hex').slice(0, 16) : 'anonymous';
    return `${registry}|${scope}|${who}`;
  }

  private async fetchToken(registry: string, repository: string, params: Record<string, string>, scope: string, signal: AbortSignal): Promise<Token> {
    const realm = params.realm;
    if (!realm) throw new ItemError(`registry ${registry} sent a Bearer challenge without a realm`, 'registry_protocol');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ItemError(`registry ${registry} sent an invalid token realm`, 'registry_protocol');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.base(registry).startsWith('http:'))) {
      throw new ItemError(`registry ${registry} asks for a token over plain http`, 'registry_protocol');
    }
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const c = this.credential(registry);
    const res = await this.timed('token', url, { headers: c ? { Authorization: this.basicHeader(c) } : {}, signal, ...(this.o.ca ? { ca: this.o.ca } : {}), maxBytes: 1024 * 1024 });
    if (res.status === 401 || res.status === 403) {
      throw new ItemError(`registry ${registry} refused access to ${repository} (${c ? 'credentials not accepted' : 'credentials required'}; token service said ${res.status})`, 'auth');
    }
    if (res.status === 429 || res.status >= 500) throw new TransientError(`token service of ${registry} answered ${res.status}`, 'registry_unavailable');
    if (res.status !== 200) throw new ItemError(`token service of ${registry} answered ${res.status}`, 'registry_protocol');
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(res.body.toString('utf8')) as typeof doc;
    } catch {
      throw new ItemError(`token service of ${registry} sent no JSON`, 'registry_protocol');
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (token === '') throw new ItemError(`token service of ${registry} sent no token`, 'registry_protocol');
    const ttl = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
    return { header: `Bearer ${token}`, expires: Date.now() + Math.max(1, ttl - 10) * 1000 };
  }

  /**
   * GET/HEAD `path` on the registry with auth; returns the final response (any status). 401/403
   * after authenticating -> ItemError (access refused); 429/5xx -> TransientError.
   */
  async call(op: string, registry: string, repository: string, path: string, init: { method?: 'GET' | 'HEAD'; accept?: string; signal: AbortSignal; maxBytes?: number }): Promise<HttpResponse> {
    const url = new URL(`${this.base(registry)}/v2/${repository}${path}`);
    const scope = `repository:${repository}:pull`;
    const key = this.tokenKey(registry, scope);
    const headers: Record<string, string> = init.accept ? { Accept: init.accept } : {};
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now()) headers.Authorization = cached.header;
    const send = () => this.timed(op, url, { method: init.method ?? 'GET', headers, signal: init.signal, ...(this.o.ca ? { ca: this.o.ca } : {}), ...(init.maxBytes ? { maxBytes: init.maxBytes } : {}) });
    let res = await send();
    if (res.status === 401) {
      const challenge = parseChallenge(String(res.headers['www-authenticate'] ?? ''));
      const c = this.credential(registry);
      if (challenge.scheme === 'bearer') {
        const token = await this.fetchToken(registry, repository, challenge.params, scope, init.signal);
        this.tokens.set(key, token);
        headers.Authorization = token.header;
        res = await send();
      } else if (challenge.scheme === 'basic' && c) {
        headers.Authorization = this.basicHeader(c);
        this.tokens.set(key, { header: headers.Authorization, expires: Date.now() + 3600_000 });
        res = await send();
      }
    }
    if (res.status === 401 || res.status === 403) {
      this.tokens.delete(key);
      const c = this.credential(registry);
      throw new ItemError(`registry ${registry} refused access to ${repository} (${c ? 'credentials not accepted' : 'credentials required'})`, 'auth');
    }
    if (res.status === 429 || res.status >= 500) throw new TransientError(`registry ${registry} answered ${res.status} for ${repository}`, 'registry_unavailable');
    return res;
  }

  /** The manifest under a tag or digest; null when the registry says 404. The digest is checked. */
  async manifest(registry: string, repository: string, reference: string, signal: AbortSignal): Promise<Manifest | null> {
    const res = await this.call('manifest', registry, repository, `/manifests/${reference}`, { accept: MANIFEST_TYPES.join(', '), signal });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new ItemError(`registry ${registry} answered ${res.status} for manifest ${repository}:${reference}`, 'registry_protocol');
    const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (DIGEST.test(reference) && reference !== digest) {
      throw new ItemError(`registry ${registry} served a manifest of ${repository}@${reference} whose content does not match the digest`, 'digest_mismatch');
    }
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:') && header !== digest) {
      throw new ItemError(`registry ${registry} sent a Docker-Content-Digest that does not match the manifest of ${repository}:${reference}`, 'digest_mismatch');
    }
    let json: Manifest['json'];
    try {
      json = JSON.parse(res.body.toString('utf8')) as Manifest['json'];
    } catch {
      throw new ItemError(`manifest ${repository}:${reference} on ${registry} is not JSON`, 'registry_protocol');
    }
    if (typeof json !== 'object' || json === null) throw new ItemError(`manifest ${repository}:${reference} on ${registry} is not an object`, 'registry_protocol');
    const mediaType = json.mediaType ?? String(res.headers['content-type'] ?? '');
    return { digest, mediaType, body: res.body, json };
  }

  /** Tag -> digest: HEAD (no rate-limit cost on Docker Hub), GET when HEAD gives no digest. */
  async resolve(registry: string, repository: string, tag: string, signal: AbortSignal): Promise<string> {
    const head = await this.call('resolve', registry, repository, `/manifests/${tag}`, { method: 'HEAD', accept: MANIFEST_TYPES.join(', '), signal });
    if (head.status === 404) throw new ItemError(`image ${registry}/${repository}:${tag} not found`, 'not_found');
    const header = head.headers['docker-content-digest'];
    if (head.status === 200 && typeof header === 'string' && DIGEST.test(header)) return header;
    const m = await this.manifest(registry, repository, tag, signal);
    if (!m) throw new ItemError(`image ${registry}/${repository}:${tag} not found`, 'not_found');
    return m.digest;
  }

  /** A blob, checked against its digest. */
  async blob(registry: string, repository: string, digest: string, signal: AbortSignal, maxBytes = 1024 * 1024): Promise<Buffer> {
    if (!DIGEST.test(digest)) throw new ItemError(`unsupported blob digest in ${repository}`, 'registry_protocol');
    const res = await this.call('blob', registry, repository, `/blobs/${digest}`, { signal, maxBytes });
    if (res.status === 404) throw new ItemError(`blob ${repository}@${digest} not found on ${registry}`, 'not_found');
    if (res.status !== 200) throw new ItemError(`registry ${registry} answered ${res.status} for blob ${repository}@${digest}`, 'registry_protocol');
    if (`sha256:${createHash('sha256').update(res.body).digest('hex')}` !== digest) {
      throw new ItemError(`blob ${repository}@${digest} on ${registry} does not match its digest`, 'digest_mismatch');
    }
    return res.body;
  }

  /**
   * Referrers of `digest` (OCI 1.1 referrers API), filtered by artifactType; null when the
   * registry does not implement the API (404), so the caller uses the fallback tag.
   */
  async referrers(registry: string, repository: string, digest: string, artifactType: string, signal: AbortSignal): Promise<Descriptor[] | null> {
    const res = await this.call('referrers', registry, repository, `/referrers/${digest}?artifactType=${encodeURIComponent(artifactType)}`, { accept: 'application/vnd.oci.image.index.v1+json', signal });
    if (res.status === 404 || res.status === 405 || res.status === 400) return null;
    if (res.status !== 200) throw new ItemError(`registry ${registry} answered ${res.status} for the referrers of ${repository}@${digest}`, 'registry_protocol');
    let json: { manifests?: Descriptor[] };
    try {
      json = JSON.parse(res.body.toString('utf8')) as typeof json;
    } catch {
      throw new ItemError(`referrers of ${repository}@${digest} on ${registry} are not JSON`, 'registry_protocol');
    }
    // A registry may ignore the filter (it says so in OCI-Filters-Applied); filter again here.
    return (Array.isArray(json.manifests) ? json.manifests : []).filter((d) => d.artifactType === artifactType);
  }
}
