// The provider's servers: HTTPS with mutual TLS for Gatekeeper (TLS 1.3 only; the client must
// present a certificate chaining to Gatekeeper's CA), and plain HTTP for probes and metrics
// (kubelet and Prometheus cannot present Gatekeeper's certificate). The serving certificate, key,
// client CA and the configuration file are polled and reloaded when their content changes, so
// Secret rotations (kubelet swaps the mounted files) need no restart. A file that fails to load
// keeps the previous one in force.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { Logger } from '../util/log.js';
import { ConfigError, parseConfig } from './config.js';
import type { VerifyMetrics } from './metrics.js';
import type { Verifier } from './verifier.js';

export const PROVIDER_PATH = '/v1/verify';
/** Tag -> digest pinning for a mutator (keys are images as written). */
export const MUTATE_PATH = '/v1/mutate';
const MAX_BODY = 1024 * 1024;

export interface ServerOptions {
  verifier: Verifier;
  metrics: VerifyMetrics;
  logger: Logger;
  configFile: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  clientCaFile: string;
  host?: string;
  port?: number;
  healthHost?: string;
  healthPort?: number;
  reloadIntervalMs?: number;
}

export interface VerifyServer {
  port: number;
  healthPort: number;
  /** Re-reads the files now (tests; the poller does it every reloadIntervalMs). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

function digestOf(...parts: Buffer[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function systemError(res: http.ServerResponse, status: number, text: string): void {
  json(res, status, { apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderResponse', response: { idempotent: true, items: [], systemError: text } });
}

export async function startVerifyServer(o: ServerOptions): Promise<VerifyServer> {
  const { verifier, metrics, logger } = o;
  const readTls = async (): Promise<TlsFiles> => ({
    cert: await readFile(o.tlsCertFile), key: await readFile(o.tlsKeyFile), ca: await readFile(o.clientCaFile),
  });
  const tlsOptions = (f: TlsFiles) => ({ cert: f.cert, key: f.key, ca: f.ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' as const });

  let tlsDigest = '';
  let configDigest = '';
  const initial = await readTls();
  createSecureContext(tlsOptions(initial));
  tlsDigest = digestOf(initial.cert, initial.key, initial.ca);

  const loadConfig = async (): Promise<void> => {
    let text: Buffer;
    try {
      text = await readFile(o.configFile);
    } catch (e) {
      metrics.reloads.inc({ what: 'config', result: 'error' });
      logger.error('cannot read the verifier configuration; keeping the previous one', { file: o.configFile, error: (e as NodeJS.ErrnoException).code ?? 'error' });
      return;
    }
    const d = digestOf(text);
    if (d === configDigest) return;
    try {
      let doc: unknown;
      try {
        doc = JSON.parse(text.toString('utf8'));
      } catch {
        throw new ConfigError('configuration is not JSON');
      }
      verifier.load(parseConfig(doc));
      configDigest = d;
      metrics.reloads.inc({ what: 'config', result: 'ok' });
      logger.info('verifier configuration loaded', { revisions: verifier.revisions() });
    } catch (e) {
      configDigest = d; // do not retry the same broken content every poll
      metrics.reloads.inc({ what: 'config', result: 'error' });
      logger.error('verifier configuration rejected; keeping the previous one', { error: e instanceof ConfigError ? e.message : 'invalid' });
    }
  };

  const server = https.createServer(tlsOptions(initial), (req, res) => {
    const start = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    void (async () => {
      if (path !== PROVIDER_PATH && path !== MUTATE_PATH) {
        res.writeHead(404).end();
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      if (!(req.socket as TLSSocket).authorized) {
        // Unreachable with rejectUnauthorized; kept as a guard should the option ever change.
        res.writeHead(401).end();
        return;
      }
      const body = await readBody(req);
      let keys: unknown;
      try {
        if (body === null) throw new Error('request body too large');
        const doc = JSON.parse(body.toString('utf8')) as { apiVersion?: unknown; kind?: unknown; request?: { keys?: unknown } };
        if (doc.kind !== 'ProviderRequest' || doc.apiVersion !== 'externaldata.gatekeeper.sh/v1beta1') throw new Error('not an externaldata.gatekeeper.sh/v1beta1 ProviderRequest');
        keys = doc.request?.keys ?? [];
        if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw new Error('request.keys must be a list of strings');
      } catch (e) {
        metrics.requests.inc({ result: 'bad_request' });
        systemError(res, 400, `bad provider request: ${e instanceof SyntaxError ? 'not JSON' : (e as Error).message}`);
        return;
      }
      const answer = path === MUTATE_PATH ? await verifier.mutate(keys) : await verifier.answer(keys);
      metrics.requests.inc({ result: answer.response.systemError ? 'system_error' : 'ok' });
      json(res, 200, answer);
    })().catch((e: unknown) => {
      logger.error('provider request failed', { error: e instanceof Error ? e.message : String(e) });
      metrics.requests.inc({ result: 'system_error' });
      if (!res.headersSent) systemError(res, 500, 'internal error');
    }).finally(() => metrics.requestDuration.observe((performance.now() - start) / 1000));
  });
  server.on('tlsClientError', (e: Error) => logger.debug('TLS handshake refused', { error: e.message }));

  const reloadTls = async (): Promise<void> => {
    let files: TlsFiles;
    try {
      files = await readTls();
    } catch (e) {
      metrics.reloads.inc({ what: 'tls', result: 'error' });
      logger.error('cannot read TLS files; keeping the previous ones', { error: (e as NodeJS.ErrnoException).code ?? 'error' });
      return;
    }
    const d = digestOf(files.cert, files.key, files.ca);
    if (d === tlsDigest) return;
    try {
      server.setSecureContext(tlsOptions(files));
      tlsDigest = d;
      metrics.reloads.inc({ what: 'tls', result: 'ok' });
      logger.info('TLS certificate, key and client CA reloaded');
    } catch (e) {
      // A half-written rotation (new cert, old key): retry on the next poll.
      metrics.reloads.inc({ what: 'tls', result: 'error' });
      logger.warn('TLS files do not load (yet); keeping the previous ones', { error: e instanceof Error ? e.message : 'error' });
    }
  };

  const reload = async () => {
    await loadConfig();
    await reloadTls();
  };
  await loadConfig();

  const health = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') res.writeHead(200).end('ok');
    else if (path === '/readyz') res.writeHead(verifier.ready ? 200 : 503).end(verifier.ready ? 'ok' : 'configuration not loaded');
    else if (path === '/revisions') json(res, 200, verifier.revisions());
    else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else res.writeHead(404).end();
  });

  const listen = (s: http.Server, port: number, host: string) => new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, () => resolve((s.address() as AddressInfo).port));
  });
  const port = await listen(server, o.port ?? 8443, o.host ?? '0.0.0.0');
  const healthPort = await listen(health, o.healthPort ?? 8080, o.healthHost ?? '0.0.0.0');

  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    void reload().finally(() => {
      polling = false;
    });
  }, o.reloadIntervalMs ?? 2000);
  timer.unref();

  const closeServer = (s: http.Server) => new Promise<void>((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections();
  });
  return {
    port,
    healthPort,
    reload,
    close: async () => {
      clearInterval(timer);
      await Promise.all([closeServer(server), closeServer(health)]);
    },
  };
}
