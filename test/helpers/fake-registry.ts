// A fake OCI registry in TypeScript for the verifier's unit tests: manifests, blobs, tags, the OCI
// 1.1 referrers API (computed from stored manifests' `subject`, switchable off), and the auth flows
// real registries use: anonymous, Basic, or a Bearer challenge with a token endpoint (Basic
// credentials on the token request). Optional TLS, injected failures and latency, and a log of
// requests for the cache and coalescing tests. Content is imported from a real registry (crane's,
// filled by cosign) so the vectors are the real tool's output.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface FakeRegistryOptions {
  referrers?: boolean;
  auth?: 'none' | 'basic' | 'bearer';
  /** user -> password accepted (Basic, or on the token endpoint). */
  users?: Record<string, string>;
  /** Bearer only: whether the token endpoint gives anonymous pull tokens. */
  anonymousPull?: boolean;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Token lifetime in seconds (expires_in). */
  tokenTtl?: number;
  /** Serve blobs by a redirect to another host name (localhost instead of 127.0.0.1), as registries backed by object storage do. */
  blobRedirect?: boolean;
}

interface Stored {
  body: Buffer;
  mediaType: string;
}

interface Repo {
  manifests: Map<string, Stored>;
  tags: Map<string, string>;
  blobs: Map<string, Buffer>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export class FakeRegistry {
  readonly repos = new Map<string, Repo>();
  readonly log: { method: string; path: string; auth: string }[] = [];
  /** Return a status to fail a request with (e.g. 503), or undefined to serve it. */
  fail: ((method: string, path: string) => number | undefined) | undefined;
  delayMs = 0;
  /** Requests being served now, and the most at once since the last reset. */
  active = 0;
  maxActive = 0;
  private readonly tokens = new Set<string>();
  private server!: http.Server;
  port = 0;

  constructor(readonly o: FakeRegistryOptions = {}) {}

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  private repo(name: string): Repo {
    let r = this.repos.get(name);
    if (!r) {
      r = { manifests: new Map(), tags: new Map(), blobs: new Map() };
      this.repos.set(name, r);
    }
    return r;
  }

  putBlob(repo: string, body: Buffer): string {
    const d = sha(body);
    this.repo(repo).blobs.set(d, body);
    return d;
  }

  putManifest(repo: string, body: Buffer, mediaType: string, tag?: string): string {
    const d = sha(body);
    const r = this.repo(repo);
    r.manifests.set(d, { body, mediaType });
    if (tag) r.tags.set(tag, d);
    return d;
  }

  deleteTag(repo: string, tag: string): void {
    this.repo(repo).tags.delete(tag);
  }

  /** Copies every tag of `repos` (with the manifests, children and blobs they reach) from a registry. */
  async importFrom(base: string, repos: string[]): Promise<void> {
    const accept = [
      'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
    ].join(', ');
    for (const repo of repos) {
      const tags = (await (await fetch(`${base}/v2/${repo}/tags/list`)).json()) as { tags?: string[] };
      const copy = async (ref: string, tag?: string): Promise<void> => {
        const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { headers: { Accept: accept } });
        if (res.status !== 200) throw new Error(`import ${repo}:${ref}: ${res.status}`);
        const body = Buffer.from(await res.arrayBuffer());
        const doc = JSON.parse(body.toString()) as { mediaType?: string; manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] };
        this.putManifest(repo, body, doc.mediaType ?? res.headers.get('content-type') ?? '', tag);
        for (const m of doc.manifests ?? []) await copy(m.digest);
        for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
          const blob = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`);
          if (blob.status !== 200) throw new Error(`import blob ${repo}@${b.digest}: ${blob.status}`);
          this.putBlob(repo, Buffer.from(await blob.arrayBuffer()));
        }
      };
      for (const t of tags.tags ?? []) await copy(t, t);
    }
  }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.active++;
      this.maxActive = Math.max(this.maxActive, this.active);
      res.once('close', () => this.active--);
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    };
    this.server = this.o.tls ? https.createServer({ cert: this.o.tls.cert, key: this.o.tls.key }, handler) : http.createServer(handler);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private scheme(): string {
    return this.o.tls ? 'https' : 'http';
  }

  private basicOk(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const [u, ...p] = Buffer.from(header.slice(6), 'base64').toString().split(':');
    return u !== undefined && this.o.users?.[u] === p.join(':');
  }

  private authorized(req: http.IncomingMessage): boolean {
    const mode = this.o.auth ?? 'none';
    if (mode === 'none') return true;
    if (mode === 'basic') return this.basicOk(req.headers.authorization);
    const h = req.headers.authorization;
    return h?.startsWith('Bearer ') === true && this.tokens.has(h.slice(7));
  }

  private challenge(res: http.ServerResponse, repo: string): void {
    const mode = this.o.auth;
    const value = mode === 'basic'
      ? 'Basic realm="fake"'
      : `Bearer realm="${this.scheme()}://${this.host}/token",service="fake-registry",scope="repository:${repo}:pull"`;
    res.writeHead(401, { 'WWW-Authenticate': value, 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `${this.scheme()}://${this.host}`);
    const method = req.method ?? 'GET';
    this.log.push({ method, path: url.pathname + url.search, auth: (req.headers.authorization ?? '').split(' ')[0] ?? '' });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const injected = this.fail?.(method, url.pathname);
    if (injected !== undefined) {
      res.writeHead(injected).end();
      return;
    }
    if (url.pathname === '/token') {
      const anonymous = !req.headers.authorization;
      if (anonymous ? !this.o.anonymousPull : !this.basicOk(req.headers.authorization)) {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      const token = randomBytes(16).toString('hex');
      this.tokens.add(token);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: this.o.tokenTtl ?? 300 }));
      return;
    }
    const stored = /^\/_storage\/(.+)\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (stored) {
      // Object storage: no registry auth, the URL is the capability.
      const blob = this.repos.get(stored[1])?.blobs.get(stored[2]);
      if (!blob) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(blob);
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (!this.authorized(req)) return this.challenge(res, '');
      res.writeHead(200).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    if (!this.authorized(req)) return this.challenge(res, name);
    const repo = this.repos.get(name);
    const notFound = (): void => {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
    };
    if (kind === 'referrers') {
      if (!this.o.referrers) return notFound();
      const artifactType = url.searchParams.get('artifactType');
      const manifests = [];
      for (const [digest, s] of repo?.manifests ?? []) {
        const doc = JSON.parse(s.body.toString()) as { subject?: { digest: string }; artifactType?: string; config?: { mediaType: string }; annotations?: Record<string, string> };
        if (doc.subject?.digest !== ref) continue;
        const type = doc.artifactType ?? doc.config?.mediaType;
        if (artifactType && type !== artifactType) continue;
        manifests.push({ mediaType: s.mediaType, digest, size: s.body.length, artifactType: type, ...(doc.annotations ? { annotations: doc.annotations } : {}) });
      }
      const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json', ...(artifactType ? { 'OCI-Filters-Applied': 'artifactType' } : {}) }).end(body);
      return;
    }
    if (!repo) return notFound();
    if (kind === 'manifests') {
      const digest = ref.startsWith('sha256:') ? ref : repo.tags.get(ref);
      const s = digest ? repo.manifests.get(digest) : undefined;
      if (!s || !digest) return notFound();
      res.writeHead(200, { 'Content-Type': s.mediaType, 'Docker-Content-Digest': digest, 'Content-Length': s.body.length });
      res.end(method === 'HEAD' ? undefined : s.body);
      return;
    }
    const blob = repo.blobs.get(ref);
    if (!blob) return notFound();
    if (this.o.blobRedirect) {
      res.writeHead(307, { Location: `${this.scheme()}://localhost:${this.port}/_storage/${name}/${ref}` }).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length }).end(method === 'HEAD' ? undefined : blob);
  }
}
