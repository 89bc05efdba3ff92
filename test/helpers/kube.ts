// Small helpers for tests that talk to the real API server.
import { request, type RequestOptions } from 'node:https';
import { KubernetesObjectApi, PatchStrategy, loadYaml, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = unknown>(): T;
  /** Admission warnings (HTTP `Warning` headers), text only. */
  warnings: string[];
}

/** A raw API request with the kubeconfig's credentials: for headers client-node does not expose. */
export async function rawRequest(kc: KubeConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) };
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const raw: unknown = res.headers.warning;
        const list: string[] = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [raw as string];
        // RFC 7234 warning: `299 - "text"`; keep the text.
        // The text is a quoted-string: undo its backslash escapes.
        const warnings = list.map((w) => w.replace(/^\d{3}\s+\S+\s+"(.*)"$/s, '$1').replace(/\\(.)/g, '$1'));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T, warnings });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `; last error: ${last.message}` : ''}`);
}

let counter = 0;
/** A unique DNS-1123 name per call: namespaces never finish deleting without a controller-manager. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Server-side apply through client-node (the tests' own, independent client). client-node drops
 * wire keys of built-in kinds that differ from its model names (`x-kubernetes-*`), so objects go
 * through loadYaml first.
 */
export async function ssaApply<T extends KubernetesObject>(api: KubernetesObjectApi, obj: T, fieldManager: string): Promise<T> {
  const { managedFields: _mf, resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  const body = loadYaml<T>(JSON.stringify({ ...obj, metadata }));
  return api.patch(body, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

/** The operator's own client for the same credentials as a client-node KubeConfig. */
export function operatorClient(kc: KubeConfig): KubeClient {
  return KubeClient.fromKubeconfig(kc.exportConfig());
}

/**
 * A denial by Gatekeeper, through either configuration that routes to it: Gatekeeper's own
 * (`validation.gatekeeper.sh`) or the operator's admission routing (README "Admission routing");
 * the API server calls both and reports whichever denied first.
 */
export const GATEKEEPER_DENIED = /admission webhook "(validation\.gatekeeper\.sh|(user|system)-namespaces\.admission-policy-engine\.deckhouse\.io)" denied the request/;
