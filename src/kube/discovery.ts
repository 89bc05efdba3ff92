// Which kinds the API server serves, from aggregated discovery (GET /api and /apis as an
// APIGroupDiscoveryList: every group, version and resource in two requests). Used to tell a
// policy author that a kind they named does not exist in this cluster, instead of a constraint
// that silently matches nothing.
import type { KubeConfig } from '@kubernetes/client-node';
import { getJson } from './raw.js';

const ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

interface DiscoveryList {
  items?: {
    metadata?: { name?: string };
    versions?: { resources?: { responseKind?: { group?: string; kind?: string }; subresources?: unknown[] }[] }[];
  }[];
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
  const [core, groups] = await Promise.all([getJson(kc, '/api', ACCEPT, 10_000), getJson(kc, '/apis', ACCEPT, 10_000)]);
  return servedKinds([core, groups]);
}
