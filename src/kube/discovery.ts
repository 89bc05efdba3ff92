// Which kinds the API server serves, from aggregated discovery (GET /api and /apis as an
// APIGroupDiscoveryList: every group, version and resource in two requests). Used to tell a
// policy author that a kind they named does not exist in this cluster, instead of a constraint
// that silently matches nothing.
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

const ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

interface DiscoveryList {
  items?: {
    metadata?: { name?: string };
    versions?: { resources?: { responseKind?: { group?: string; kind?: string }; subresources?: unknown[] }[] }[];
  }[];
}

async function getJson(kc: KubeConfig, path: string): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const opts: RequestOptions = { method: 'GET', headers: { Accept: ACCEPT } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, cluster.server), opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`GET ${path}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(text));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Kinds the API server serves, as `<group>/<Kind>` (`/Pod` for the core group). */
export function servedKinds(lists: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const list of lists) {
    for (const group of (list as DiscoveryList).items ?? []) {
      const name = group.metadata?.name ?? '';
      for (const version of group.versions ?? []) {
        for (const r of version.resources ?? []) {
          const kind = r.responseKind?.kind;
          if (kind) out.add(`${r.responseKind?.group ?? name}/${kind}`);
        }
      }
    }
  }
  return out;
}

export async function discoverKinds(kc: KubeConfig): Promise<Set<string>> {
  const [core, groups] = await Promise.all([getJson(kc, '/api'), getJson(kc, '/apis')]);
  return servedKinds([core, groups]);
}
