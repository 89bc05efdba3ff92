// Plain JSON reads from the API server with the kubeconfig's credentials. client-node turns built-in
// kinds into its model classes (dates, renamed keys): for 10,000 Namespaces that costs memory and
// time the caches do not need, and the watch already delivers plain JSON.
import { request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

export async function getJson(kc: KubeConfig, path: string, accept = 'application/json', timeoutMs = 60_000): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const opts: RequestOptions = { method: 'GET', headers: { Accept: accept } };
  await kc.applyToHTTPSOptions(opts);
  const send = url.protocol === 'http:' ? httpRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 300) {
          let message = text.slice(0, 300);
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? message;
          } catch {
            // not a Status: keep the text
          }
          return reject(Object.assign(new Error(`GET ${url.pathname}: HTTP ${status}: ${message}`), { code: status }));
        }
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url.pathname}: timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface RawList<T> {
  items: T[];
  metadata: { resourceVersion?: string };
}

/**
 * Every item of a collection, in pages of `pageSize` (bounded response size), as one consistent
 * snapshot: the continue token keeps the first page's resourceVersion.
 */
export async function listAll<T>(kc: KubeConfig, path: string, opts: { labelSelector?: string; pageSize?: number } = {}): Promise<RawList<T>> {
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let cont: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(opts.pageSize ?? 500) });
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (cont) q.set('continue', cont);
    const page = (await getJson(kc, `${path}?${q.toString()}`)) as { items?: T[]; metadata?: { resourceVersion?: string; continue?: string } };
    for (const item of page.items ?? []) items.push(item);
    resourceVersion ??= page.metadata?.resourceVersion;
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return { items, metadata: { resourceVersion } };
}
