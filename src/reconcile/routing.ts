// The shell of admission routing (pure rules in compile/routing.ts): the caches it reads
// (Gatekeeper's ValidatingWebhookConfiguration for the endpoint and CA, ours, other owners'
// templates, whose DELETE judging needs routing too) and the API resources kinds map to.
// The desired configuration joins plan like any generated object (server-side apply, updated in
// place, pruned by our label when not wanted); only its timing is special: it is created once every
// template is ready, and left as it is while they are not (see gateRouting).
import { listAll, type KubeClient } from '../kube/client.js';
import { discoverResources } from '../kube/discovery.js';
import { describeError } from '../kube/errors.js';
import { Watched, type KubernetesObject, type WatchedEvent } from '../kube/watched.js';
import type { KindMatch } from '../checks/types.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../compile/labels.js';
import {
  GATEKEEPER_VALIDATING_CONFIGURATION, ROUTING_API_VERSION, ROUTING_KIND, ROUTING_NAME, foreignRouted, gatekeeperEndpoint, judgesDelete, routingConfiguration, routingRules,
  type RoutedConstraint, type ServedResource,
} from '../compile/routing.js';
import { objectKey, type CompileSettings, type GeneratedObject } from '../compile/types.js';
import type { Logger } from '../util/log.js';
import type { Action } from './plan.js';

type Obj = KubernetesObject & Record<string, unknown>;

const WEBHOOKS_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const TEMPLATES_PATH = '/apis/templates.gatekeeper.sh/v1/constrainttemplates';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The objectKey of our configuration (plan's identity). */
export const ROUTING_KEY = objectKey({ apiVersion: ROUTING_API_VERSION, kind: ROUTING_KIND, metadata: { name: ROUTING_NAME } });

/** A webhook configuration as the caches keep it: what plan compares and the endpoint reads. */
export function slimWebhookConfiguration(o: Obj): Obj {
  const m = o.metadata ?? {};
  const metadata: Obj['metadata'] & { ownerReferences?: unknown } = { name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
  if (m.labels) metadata.labels = m.labels;
  if (m.annotations) {
    const { [LAST_APPLIED]: _dropped, ...rest } = m.annotations;
    if (Object.keys(rest).length > 0) metadata.annotations = rest;
  }
  const owners = (m as { ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string }[] }).ownerReferences;
  if (owners) metadata.ownerReferences = owners.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid }));
  // Items of a list response of a built-in type carry no apiVersion/kind (watch events do): a
  // restarted operator would otherwise cache objects without an identity.
  return { apiVersion: o.apiVersion ?? ROUTING_API_VERSION, kind: o.kind ?? ROUTING_KIND, metadata, webhooks: o.webhooks };
}

/** Another owner's template: its constraint kind, whether Gatekeeper created it, whether it judges DELETE. */
export function slimForeignTemplate(o: Obj): Obj {
  const kind = (o.spec as { crd?: { spec?: { names?: { kind?: unknown } } } } | undefined)?.crd?.spec?.names?.kind;
  return {
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: { name: o.metadata?.name, uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion },
    routing: { kind: typeof kind === 'string' ? kind : '', created: (o.status as { created?: unknown } | undefined)?.created === true, judgesDelete: judgesDelete(o) },
  };
}

interface ForeignTemplate { kind: string; created: boolean; judgesDelete: boolean }

export interface RoutingSourceOptions {
  onChange: () => void;
  onEvent: (watch: string, e: WatchedEvent) => void;
  watchTimeoutSeconds?: number;
  logger?: Logger;
}

export class RoutingSources {
  /** Gatekeeper's own configuration (endpoint, CA, owner of ours). */
  readonly gatekeeper: Watched<Obj>;
  /** Ours. */
  readonly ours: Watched<Obj>;
  /** Templates we do not own: their constraints need routing too (the seed's custom templates). */
  readonly foreignTemplates: Watched<Obj>;
  private served: { resources: ServedResource[]; at: number } | undefined;
  private readonly make: (name: string, path: string, transform: (o: Obj) => Obj, select: { labelSelector?: string; fieldSelector?: string }) => Watched<Obj>;

  constructor(private readonly client: KubeClient, private readonly opts: RoutingSourceOptions) {
    this.make = (name, path, transform, select) => new Watched<Obj>(client, {
      name, path, transform, ...select,
      list: () => listAll<Obj>(client, path, select),
      onChange: opts.onChange,
      onEvent: (e) => opts.onEvent(name, e),
      watchTimeoutSeconds: opts.watchTimeoutSeconds,
      backoff: { initialMs: 500, maxMs: 10000 },
    });
    this.gatekeeper = this.make('gatekeeper-webhook', WEBHOOKS_PATH, slimWebhookConfiguration, { fieldSelector: `metadata.name=${GATEKEEPER_VALIDATING_CONFIGURATION}` });
    this.ours = this.make('routing-webhook', WEBHOOKS_PATH, slimWebhookConfiguration, { fieldSelector: `metadata.name=${ROUTING_NAME}` });
    this.foreignTemplates = this.make('foreign-templates', TEMPLATES_PATH, slimForeignTemplate, { labelSelector: `${MANAGED_BY_LABEL}!=${MANAGED_BY}` });
  }

  private base(): Watched<Obj>[] {
    return [this.gatekeeper, this.ours, this.foreignTemplates];
  }

  watches(): Watched<Obj>[] {
    return this.base();
  }

  get synced(): boolean {
    return this.watches().every((w) => w.synced);
  }

  async start(): Promise<void> {
    await Promise.all(this.base().map((w) => w.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.watches().map((w) => w.stop()));
  }

  /** Other owners' templates: whether Gatekeeper created each and whether it judges DELETE. */
  templates(): ForeignTemplate[] {
    return this.foreignTemplates.list().map((t) => t.routing as ForeignTemplate).filter((t) => t.kind !== '');
  }

  /**
   * Top-level resources the API server serves, from discovery: every 5 minutes, or after 30 s when
   * a kind to route is missing (a CRD just installed). On an error the last answer stays.
   */
  async servedResources(kinds: readonly string[]): Promise<ServedResource[]> {
    const now = Date.now();
    const age = this.served ? now - this.served.at : Infinity;
    const known = new Set(this.served?.resources.map((r) => r.kind));
    const missing = kinds.some((k) => k !== '*' && !k.endsWith('Options') && !known.has(k));
    if (age > 300_000 || (missing && age > 30_000)) {
      try {
        const resources = (await discoverResources(this.client)).filter((r) => !r.resource.includes('/')).map((r) => ({ group: r.group, kind: r.kind, resource: r.resource }));
        this.served = { resources, at: now };
      } catch (err) {
        this.opts.logger?.warn(`API discovery for admission routing failed; keeping the last answer: ${describeError(err)}`);
        if (this.served) this.served.at = now;
      }
    }
    return this.served?.resources ?? [];
  }
}

/** Our constraints (compiled) as routing input: our templates never judge DELETE (lib.review). */
export function ownRouted(objects: readonly GeneratedObject[]): RoutedConstraint[] {
  const out: RoutedConstraint[] = [];
  for (const o of objects) {
    if (!o.apiVersion.startsWith('constraints.gatekeeper.sh/')) continue;
    out.push({ kinds: (o as { spec?: { match?: { kinds?: KindMatch[] } } }).spec?.match?.kinds, judgesDelete: false });
  }
  return out;
}

export interface DesiredRouting {
  /** Our configuration as it should be; undefined: none (Gatekeeper's endpoint unknown, or nothing to route). */
  object: GeneratedObject | undefined;
  /** Every template our constraints use is created: only then is routing created or changed. */
  bootstrapped: boolean;
  served: ServedResource[];
}

export async function desiredRouting(routing: RoutingSources, objects: readonly GeneratedObject[], settings: CompileSettings, ready: ReadonlySet<string>): Promise<DesiredRouting> {
  const constraints = [...ownRouted(objects), ...foreignRouted(routing.templates())];
  const kinds = constraints.flatMap((c) => (c.kinds ?? []).flatMap((k) => k.kinds));
  const served = await routing.servedResources(kinds);
  const endpoint = gatekeeperEndpoint(routing.gatekeeper.get(GATEKEEPER_VALIDATING_CONFIGURATION));
  const object = endpoint ? routingConfiguration(routingRules(constraints, served), endpoint, settings) : undefined;
  // The templates our constraints use (a template no constraint uses cannot change what is routed).
  const used = new Set(objects.filter((o) => o.apiVersion.startsWith('constraints.gatekeeper.sh/')).map((o) => o.kind.toLowerCase()));
  const bootstrapped = objects.every((o) => o.kind !== 'ConstraintTemplate' || !used.has(o.metadata.name) || ready.has(o.metadata.name));
  return { object, bootstrapped, served };
}

/**
 * Until every template is ready, routing is neither created, changed nor removed: an applied
 * configuration keeps routing (no enforcement gap while a template is updated), and none is created
 * before Gatekeeper can judge what it would send.
 */
export function gateRouting(actions: readonly Action[], bootstrapped: boolean): Action[] {
  if (bootstrapped) return [...actions];
  const out: Action[] = [];
  for (const a of actions) {
    if (objectKey(a.object) !== ROUTING_KEY) out.push(a);
    else if (a.type === 'apply') out.push({ type: 'wait', object: a.object, reason: 'templates are not all created yet' });
  }
  return out;
}
