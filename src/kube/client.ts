// A small Kubernetes API client: kubeconfig or in-cluster credentials, JSON requests, watches.
// The operator used @kubernetes/client-node; importing it costs about 65 MiB of resident memory (its
// generated models and APIs load with any entry point), more than everything else the operator holds
// at idle. The operator needs a handful of verbs on plain JSON, so it speaks HTTP itself; the tests
// keep using client-node as an independent client.
import { readFileSync, statSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

/** An API error: the HTTP status and the Status object's reason and message (never the request body). */
export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ClusterAccess {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Read again when it changes (projected service account tokens rotate). */
  tokenFile?: string;
  insecureSkipTLSVerify?: boolean;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Json = Record<string, unknown>;

function b64(v: unknown): Buffer | undefined {
  return typeof v === 'string' && v !== '' ? Buffer.from(v, 'base64') : undefined;
}

function file(v: unknown, base: string): Buffer | undefined {
  return typeof v === 'string' && v !== '' ? readFileSync(isAbsolute(v) ? v : join(base, v)) : undefined;
}

const named = (list: unknown, name: unknown): Json | undefined =>
  (Array.isArray(list) ? (list as Json[]) : []).find((e) => e?.name === name);

/** Cluster access from kubeconfig text (YAML or JSON): the current context, or `context`. */
export function accessFromKubeconfig(text: string, opts: { context?: string; baseDir?: string } = {}): ClusterAccess {
  const cfg = parse(text) as Json;
  const base = opts.baseDir ?? process.cwd();
  const ctxName = opts.context ?? cfg['current-context'];
  const ctx = named(cfg.contexts, ctxName)?.context as Json | undefined;
  if (!ctx) throw new Error(`kubeconfig: context ${JSON.stringify(ctxName)} not found`);
  const cluster = named(cfg.clusters, ctx.cluster)?.cluster as Json | undefined;
  if (!cluster || typeof cluster.server !== 'string') throw new Error(`kubeconfig: cluster ${JSON.stringify(ctx.cluster)} not found or has no server`);
  const user = (named(cfg.users, ctx.user)?.user as Json | undefined) ?? {};
  if (user.exec || user['auth-provider']) throw new Error('kubeconfig: exec and auth-provider credentials are not supported; use a client certificate or a token');
  return {
    server: cluster.server,
    ca: b64(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority'], base),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    cert: b64(user['client-certificate-data']) ?? file(user['client-certificate'], base),
    key: b64(user['client-key-data']) ?? file(user['client-key'], base),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? user.tokenFile : undefined,
  };
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export class KubeClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly url: URL;
  private token: { value?: string; mtime: number; checked: number } = { mtime: 0, checked: 0 };

  constructor(private readonly access: ClusterAccess) {
    this.url = new URL(access.server);
    // No socket cap: every watch holds a connection for minutes (one per cached resource, one per
    // constraint kind), and a capped pool would queue requests behind them. Callers bound their
    // own concurrency.
    this.agent = this.url.protocol === 'http:'
      ? new HttpAgent({ keepAlive: true })
      : new HttpsAgent({ keepAlive: true, ca: access.ca, cert: access.cert, key: access.key, rejectUnauthorized: !access.insecureSkipTLSVerify });
    this.token.value = access.token;
  }

  static fromKubeconfigFile(path: string, context?: string): KubeClient {
    return new KubeClient(accessFromKubeconfig(readFileSync(path, 'utf8'), { context, baseDir: dirname(path) }));
  }

  static fromKubeconfig(text: string, context?: string): KubeClient {
    return new KubeClient(accessFromKubeconfig(text, { context }));
  }

  /** The pod's service account, as client-go's in-cluster config. */
  static inCluster(): KubeClient {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    const port = process.env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) throw new Error('not in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set; pass --kubeconfig');
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return new KubeClient({ server, ca: readFileSync(join(SA_DIR, 'ca.crt')), tokenFile: join(SA_DIR, 'token') });
  }

  /** Closes idle connections (shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private bearer(): string | undefined {
    const f = this.access.tokenFile;
    if (f && Date.now() - this.token.checked > 10_000) {
      this.token.checked = Date.now();
      const mtime = statSync(f).mtimeMs;
      if (mtime !== this.token.mtime) this.token = { value: readFileSync(f, 'utf8').trim(), mtime, checked: Date.now() };
    }
    return this.token.value;
  }

  private send(method: string, path: string, opts: RequestOptions): Promise<IncomingMessage> {
    const url = new URL(path, this.url);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string | number> = { Accept: opts.accept ?? 'application/json' };
    const token = this.bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.agent, signal: opts.signal }, resolve);
      if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: timed out after ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** One request; the parsed JSON answer, or an ApiError carrying the Status' code, reason and message. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, { timeoutMs: 60_000, ...opts });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status >= 300) throw statusError(status, text, `${method} ${path.split('?')[0]}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /**
   * A watch: calls `onEvent` for each event of the newline-delimited stream and resolves when the
   * server ends it; rejects with an ApiError for an HTTP error. Abort with `signal`.
   */
  async watch(path: string, query: RequestOptions['query'], onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void> {
    const res = await this.send('GET', path, { query: { ...query, watch: 'true' }, signal });
    const status = res.statusCode ?? 0;
    if (status >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw statusError(status, Buffer.concat(chunks).toString('utf8'), `watch ${path}`);
    }
    let buffered = '';
    for await (const chunk of res) {
      buffered += (chunk as Buffer).toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const event = JSON.parse(line) as { type?: string; object?: unknown };
        onEvent(event.type ?? '', event.object);
      }
    }
  }
}

function statusError(code: number, body: string, what: string): ApiError {
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    return new ApiError(code, `${what}: HTTP ${code}${s.reason ? ` ${s.reason}` : ''}: ${s.message ?? 'no message'}`, s.reason);
  } catch {
    return new ApiError(code, `${what}: HTTP ${code}`);
  }
}

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string };
}

/**
 * Every item of a collection, in pages of `pageSize` (bounded responses), as one consistent
 * snapshot: the continue token keeps the first page's resourceVersion.
 */
export async function listAll<T>(client: KubeClient, path: string, opts: { labelSelector?: string; fieldSelector?: string; pageSize?: number } = {}): Promise<ObjectList<T>> {
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let cont: string | undefined;
  do {
    const page = await client.request<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>('GET', path, {
      query: { limit: opts.pageSize ?? 500, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, continue: cont },
    });
    for (const item of page.items ?? []) items.push(item);
    resourceVersion ??= page.metadata?.resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { items, metadata: { resourceVersion } };
}
