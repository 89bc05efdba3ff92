// What the API server serves, from aggregated discovery (GET /api and /apis as an
// APIGroupDiscoveryList: every group, version and resource in two requests): the kinds policies may
// name, and the REST path of each kind we write (constraint kinds appear as Gatekeeper creates
// their CRDs, so a miss refreshes).
import { ApiError, type KubeClient } from './client.js';

const ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

interface DiscoveryList {
  items?: {
    metadata?: { name?: string };
    versions?: { version?: string; resources?: { resource?: string; scope?: string; responseKind?: { group?: string; version?: string; kind?: string } }[] }[];
  }[];
}

export interface Resource {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

/** Every resource of the discovery documents, preferred version first within a group. */
export function resourcesOf(lists: readonly unknown[]): Resource[] {
  const out: Resource[] = [];
  for (const list of lists) {
    for (const group of (list as DiscoveryList).items ?? []) {
      const name = group.metadata?.name ?? '';
      for (const version of group.versions ?? []) {
        for (const r of version.resources ?? []) {
          const kind = r.responseKind?.kind;
          if (!kind || !r.resource) continue;
          // Built-in groups send an empty responseKind group ("same as the group"): fall back then too.
          out.push({ group: r.responseKind?.group || name, version: version.version ?? r.responseKind?.version ?? '', kind, resource: r.resource, namespaced: r.scope === 'Namespaced' });
        }
      }
    }
  }
  return out;
}

/** Kinds the API server serves, as `<group>/<Kind>` (`/Pod` for the core group). */
export function servedKinds(lists: readonly unknown[]): Set<string> {
  return new Set(resourcesOf(lists).map((r) => `${r.group}/${r.kind}`));
}

async function discover(client: KubeClient): Promise<unknown[]> {
  return Promise.all([client.request('GET', '/api', { accept: ACCEPT, timeoutMs: 10_000 }), client.request('GET', '/apis', { accept: ACCEPT, timeoutMs: 10_000 })]);
}

/** Every top-level resource the API server serves (admission routing maps matched kinds to them). */
export async function discoverResources(client: KubeClient): Promise<Resource[]> {
  return resourcesOf(await discover(client));
}

export async function discoverKinds(client: KubeClient): Promise<Set<string>> {
  return servedKinds(await discover(client));
}

/** REST paths of kinds, from discovery; refreshed (at most every 2 s) when a kind is unknown. */
export class ApiResources {
  private byGvk = new Map<string, Resource>();
  private refreshed = 0;
  private pending: Promise<void> | undefined;

  constructor(private readonly client: KubeClient) {}

  private async refresh(): Promise<void> {
    this.pending ??= discover(this.client).then((lists) => {
      const next = new Map<string, Resource>();
      for (const r of resourcesOf(lists)) next.set(`${r.group}/${r.version}/${r.kind}`, r);
      this.byGvk = next;
      this.refreshed = Date.now();
    }).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The collection path of an object (`/apis/<g>/<v>[/namespaces/<ns>]/<resource>`), plus `/<name>` when given. */
  async path(obj: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }, withName = true): Promise<string> {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const key = `${group}/${version}/${obj.kind}`;
    if (!this.byGvk.has(key) && Date.now() - this.refreshed > 2000) await this.refresh();
    const r = this.byGvk.get(key);
    if (!r) throw new ApiError(404, `${obj.apiVersion} ${obj.kind} is not served by the API server`, 'NotFound');
    const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? 'default')}` : '';
    const name = withName && obj.metadata.name ? `/${encodeURIComponent(obj.metadata.name)}` : '';
    return `${root}${ns}/${r.resource}${name}`;
  }
}
