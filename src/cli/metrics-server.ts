// /metrics with authentication and authorization, as controller-runtime's secure metrics serve it:
// HTTPS (a self-signed certificate made at start, unless one is given), the caller's bearer token
// checked with a TokenReview, then a SubjectAccessReview for `get` on the non-resource URL
// /metrics. Prometheus scrapes it with its ServiceAccount token once that account is bound to the
// ClusterRole admission-policy-engine-metrics-reader (manifests/rbac.yaml).
//
// The alternative, without Kubernetes authentication: `--metrics-addr 127.0.0.1:<port>` serves plain
// /metrics on the loopback interface only (reach it from a sidecar or with kubectl port-forward).
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP } from 'node:net';
import type { KubeClient } from '../kube/client.js';
import { describeError } from '../kube/errors.js';
import { newCa, newServingCert } from '../reconcile/x509.js';
import type { Logger } from '../util/log.js';

export const METRICS_PATH = '/metrics';

/** Whether a listen host is a loopback address (nothing outside the Pod or host reaches it). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

export type Decision = { code: 200 } | { code: 401 | 403 | 500; reason: string };

/** Who may read /metrics: TokenReview then SubjectAccessReview, answers cached briefly per token. */
export class MetricsAuthorizer {
  private readonly cache = new Map<string, { decision: Decision; until: number }>();

  constructor(private readonly client: KubeClient, private readonly o: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {}

  async check(authorization: string | undefined): Promise<Decision> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return { code: 401, reason: 'a bearer token is required' };
    const key = createHash('sha256').update(m[1]).digest('hex');
    const now = (this.o.now ?? Date.now)();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.decision;
    const decision = await this.review(m[1]);
    // Errors of our own (API server unreachable) are not remembered.
    if (decision.code !== 500) {
      if (this.cache.size >= (this.o.maxEntries ?? 1000)) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { decision, until: now + (this.o.ttlMs ?? 60_000) });
    }
    return decision;
  }

  private async review(token: string): Promise<Decision> {
    type TokenReview = { status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string } };
    type Sar = { status?: { allowed?: boolean; reason?: string } };
    try {
      const tr = await this.client.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }, timeoutMs: 10_000,
      });
      const user = tr.status?.user;
      if (!tr.status?.authenticated || !user?.username) return { code: 401, reason: 'the token is not valid' };
      const sar = await this.client.request<Sar>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: {
          apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
          spec: { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: { path: METRICS_PATH, verb: 'get' } },
        },
        timeoutMs: 10_000,
      });
      return sar.status?.allowed ? { code: 200 } : { code: 403, reason: `${user.username} may not get ${METRICS_PATH}` };
    } catch (err) {
      return { code: 500, reason: `cannot review the token: ${describeError(err)}` };
    }
  }
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  client: KubeClient;
  logger: Logger;
  /** The Prometheus text and its content type. */
  render: () => Promise<{ text: string; contentType: string }>;
  /** PEM serving certificate and key; default: self-signed, made at start. */
  tls?: { cert: string; key: string };
}

/**
 * Starts the metrics listener: plain and open when bound to loopback, else HTTPS with
 * authentication and authorization. Resolves with the server and its port.
 */
export async function startMetricsServer(o: MetricsServerOptions): Promise<{ server: Server; port: number; secure: boolean }> {
  const secure = !isLoopback(o.host);
  const authorizer = secure ? new MetricsAuthorizer(o.client) : undefined;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      res.writeHead(404).end();
      return;
    }
    const allowed = authorizer ? authorizer.check(req.headers.authorization) : Promise.resolve<Decision>({ code: 200 });
    allowed.then(async (d) => {
      if (d.code !== 200) {
        if (d.code === 500) o.logger.warn(`/metrics: ${d.reason}`);
        res.writeHead(d.code, { 'Content-Type': 'text/plain' }).end(`${d.reason}\n`);
        return;
      }
      const { text, contentType } = await o.render();
      res.writeHead(200, { 'Content-Type': contentType }).end(text);
    }).catch((err: unknown) => {
      o.logger.warn(`/metrics: ${describeError(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  let server: Server;
  if (secure) {
    let tls = o.tls;
    if (!tls) {
      const now = new Date();
      const ca = newCa(now, 'admission-policy-engine-metrics-ca');
      tls = newServingCert(ca, ['admission-policy-engine-metrics', 'localhost'], now);
    }
    server = createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler);
  } else {
    server = createHttpServer(handler);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, secure };
}
