// The benchmark's own API client: plain HTTPS with the kubeconfig's client certificate, keep-alive
// connections, JSON bodies and line-delimited watch streams. It is independent of the operator's
// client (which is what is being measured) and of client-node's models, and it is cheap: at scale
// the bench process shares two cores with etcd, kube-apiserver, Gatekeeper and the operator.
import { Agent, request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface Response {
  status: number;
  body: string;
  json<T = unknown>(): T;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
export type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

export interface WatchHandle {
  stop(): void;
  /** True once the stream is open (the server accepted the watch). */
  readonly open: boolean;
}

export class Api {
  private readonly agent: Agent;
  /** Watches hold a connection each for their whole life: their own pool, never queued behind requests. */
  private readonly watchAgent: Agent;
  private readonly base: URL;

  private constructor(server: string, tls: { ca?: unknown; cert?: unknown; key?: unknown }) {
    this.base = new URL(server);
    const opts = { ca: tls.ca as Buffer, cert: tls.cert as Buffer, key: tls.key as Buffer };
    this.agent = new Agent({ ...opts, keepAlive: true, maxSockets: 32 });
    this.watchAgent = new Agent({ ...opts, keepAlive: false });
  }

  static async from(kc: KubeConfig): Promise<Api> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: { ca?: unknown; cert?: unknown; key?: unknown } = {};
    await kc.applyToHTTPSOptions(opts);
    return new Api(cluster.server, opts);
  }

  request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 60_000): Promise<Response> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (payload !== undefined) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) });
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, this.base), { method, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** A request that must succeed (2xx); `ok` lists further accepted statuses (e.g. 404 on delete). */
  async must(method: string, path: string, body?: unknown, ok: number[] = []): Promise<Response> {
    const res = await this.request(method, path, body);
    if ((res.status < 200 || res.status > 299) && !ok.includes(res.status)) {
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    return res;
  }

  /** Every item of a list, page by page. */
  async list(path: string, limit = 2000): Promise<Obj[]> {
    const out: Obj[] = [];
    let cont: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res = await this.must('GET', `${path}${sep}limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      const page = res.json<{ items: Obj[]; metadata?: { continue?: string } }>();
      out.push(...page.items);
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  /**
   * A watch stream: `onEvent` per event, `onEnd` once when the stream ends or fails (the caller
   * decides whether to restart). Without a resourceVersion the server first sends every existing
   * object as ADDED.
   */
  watch(path: string, onEvent: (type: WatchEventType, obj: Obj) => void, onEnd: (err?: Error) => void): WatchHandle {
    let ended = false;
    let open = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    const req = request(new URL(path, this.base), { method: 'GET', headers: { Accept: 'application/json' }, agent: this.watchAgent }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        end(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        return;
      }
      open = true;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const text = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!text.trim()) continue;
          try {
            const ev = JSON.parse(text) as { type: WatchEventType; object: Obj };
            onEvent(ev.type, ev.object);
          } catch (err) {
            end(err instanceof Error ? err : new Error(String(err)));
            req.destroy();
            return;
          }
        }
      });
      res.on('end', () => end());
      res.on('error', (err) => end(err));
    });
    req.on('error', (err) => end(err));
    req.end();
    return {
      stop: () => {
        ended = true;
        req.destroy();
      },
      get open() {
        return open;
      },
    };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
