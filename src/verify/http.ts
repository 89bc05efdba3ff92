// Minimal HTTP(S) client for registry calls, on node:http/node:https rather than fetch: fetch in
// Node 20 cannot take a per-request CA without importing undici (not a dependency), and a policy's
// `ca` must apply to its registry only. Keep-alive agents per CA; bounded bodies; redirects
// followed by hand so that credentials are never sent to another host (blob storage redirects).
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

export interface HttpRequest {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Extra CA certificates (PEM) trusted in addition to the system roots. */
  ca?: string;
  signal?: AbortSignal;
  /** Responses larger than this fail (the bytes are not read further). */
  maxBytes?: number;
  /** Per-request timeout; the signal may end it earlier. */
  timeoutMs?: number;
}

/** A failure to talk to the server at all (DNS, TCP, TLS, timeout, oversize): always transient. */
export class TransportError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

const agents = new Map<string, https.Agent>();
const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function httpsAgent(ca: string | undefined): https.Agent {
  const id = ca === undefined ? '' : createHash('sha256').update(ca).digest('hex');
  let agent = agents.get(id);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: 32, minVersion: 'TLSv1.2', ...(ca !== undefined ? { ca: [...rootCertificates, ca] } : {}) });
    agents.set(id, agent);
  }
  return agent;
}

/** Closes idle keep-alive sockets (tests, shutdown). */
export function closeIdleConnections(): void {
  plainAgent.destroy();
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

function once(url: URL, req: HttpRequest, fresh = false): Promise<HttpResponse> {
  const maxBytes = req.maxBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: req.method ?? 'GET',
      headers: { 'User-Agent': 'admission-policy-engine-verify', ...(req.headers ?? {}) },
      // `fresh`: a new connection outside the pool, with the same trust as the pooled agent's.
      ...(fresh
        ? { agent: false as const, ...(isHttps ? { minVersion: 'TLSv1.2' as const, ...(req.ca !== undefined ? { ca: [...rootCertificates, req.ca] } : {}) } : {}) }
        : { agent: isHttps ? httpsAgent(req.ca) : plainAgent }),
      ...(req.signal ? { signal: req.signal } : {}),
      timeout: req.timeoutMs ?? 10_000,
    };
    const r = (isHttps ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new TransportError(`response from ${url.host} exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url }));
      res.on('error', (e) => reject(new TransportError(`reading from ${url.host}: ${e.message}`)));
    });
    r.on('timeout', () => r.destroy(new Error('timed out')));
    r.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.name === 'AbortError' ? 'aborted (time budget spent)' : (e.code ?? e.message);
      reject(new TransportError(`${url.host}: ${why}`, e.code));
    });
    r.end();
  });
}

/** One request, following up to 5 redirects; Authorization goes only to the original host. */
export async function request(url: URL, req: HttpRequest = {}): Promise<HttpResponse> {
  let current = url;
  let headers = { ...(req.headers ?? {}) };
  for (let hop = 0; hop <= 5; hop++) {
    let res: HttpResponse;
    try {
      res = await once(current, { ...req, headers }, true);
    } catch (e) {
      // A kept-alive socket the server closed meanwhile: GET and HEAD are safe to send again, once,
      // on a new connection (the pool may hold more sockets that are just as stale).
      if (!(e instanceof TransportError) || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') || req.signal?.aborted) throw e;
      res = await once(current, { ...req, headers }, true);
    }
    if (![301, 302, 303, 307, 308].includes(res.status) || typeof res.headers.location !== 'string') return res;
    const next = new URL(res.headers.location, current);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new TransportError(`redirect to an unsupported scheme from ${current.host}`);
    if (current.protocol === 'https:' && next.protocol === 'http:') throw new TransportError(`redirect from https to http refused (${current.host})`);
    if (next.host !== url.host) {
      const { Authorization: _a, authorization: _b, ...rest } = headers;
      headers = rest;
    }
    current = next;
  }
  throw new TransportError(`too many redirects from ${url.host}`);
}
