// Pure: the admission routing our constraints need, as one ValidatingWebhookConfiguration of ours
// beside Gatekeeper's own (README "Admission routing"). A stock Gatekeeper sends its webhook
// CREATE and UPDATE only: DELETE only with an install flag, CONNECT never. So the rules are derived
// here from our compiled constraints (every kind they match for CREATE and UPDATE, CONNECT for
// pods/exec and pods/attach, pods/ephemeralcontainers with Pods) and from other owners' templates
// (DELETE of every resource while one judges deletes, see foreignRouted). The endpoint and CA are copied from Gatekeeper's own configuration, whose clientConfig
// Gatekeeper's certificate controller (or cert-manager, or Helm) keeps current.
import type { KindMatch } from '../checks/types.js';
import { byCodePoint } from '../util/order.js';
import { ownershipLabels } from './labels.js';
import { SYSTEM_NAMESPACE_PREFIXES } from './names.js';
import type { CompileSettings, GeneratedObject } from './types.js';

/** Our configuration's name: the reference's, so dashboards and runbooks carry over. */
export const ROUTING_NAME = 'd8-admission-policy-engine-config';
export const ROUTING_API_VERSION = 'admissionregistration.k8s.io/v1';
export const ROUTING_KIND = 'ValidatingWebhookConfiguration';
/** Gatekeeper's own configuration (chart value `validatingWebhookName`) and its admission webhook. */
export const GATEKEEPER_VALIDATING_CONFIGURATION = 'gatekeeper-validating-webhook-configuration';
export const GATEKEEPER_VALIDATION_WEBHOOK = 'validation.gatekeeper.sh';
export const USER_WEBHOOK = 'user-namespaces.admission-policy-engine.deckhouse.io';
export const SYSTEM_WEBHOOK = 'system-namespaces.admission-policy-engine.deckhouse.io';
/** Gatekeeper's namespace opt-out label; its own webhook honours it, so our user webhook does too. */
export const GATEKEEPER_IGNORE_LABEL = 'admission.gatekeeper.sh/ignore';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
const OPERATION_ORDER: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

/** A top-level resource the API server serves (discovery), to map a matched kind to its resource. */
export interface ServedResource {
  group: string;
  kind: string;
  resource: string;
}

/** What routing needs of one constraint: the kinds it matches and whether its template judges DELETE. */
export interface RoutedConstraint {
  /** `spec.match.kinds`; empty or absent matches every kind (Gatekeeper's rule). */
  kinds?: readonly KindMatch[];
  judgesDelete: boolean;
  /** Route DELETE only (another owner's template, see foreignRouted); CREATE/UPDATE stay Gatekeeper's. */
  deleteOnly?: boolean;
}

/** One resource to route, with the operations. */
export interface Route {
  group: string;
  resource: string;
  operations: Operation[];
}

export interface RuleWithOperations {
  apiGroups: string[];
  apiVersions: string[];
  operations: Operation[];
  resources: string[];
  scope: '*';
}

/** Kinds that are not resources of their own: the API server reviews them as subresources. */
const CONNECT_KINDS: Readonly<Record<string, string>> = { PodExecOptions: 'pods/exec', PodAttachOptions: 'pods/attach' };
const EPHEMERAL = 'pods/ephemeralcontainers';

function podSubresources(): Route[] {
  return [
    { group: '', resource: EPHEMERAL, operations: ['CREATE', 'UPDATE'] },
    { group: '', resource: 'pods/exec', operations: ['CONNECT'] },
    { group: '', resource: 'pods/attach', operations: ['CONNECT'] },
  ];
}

/** The resources one `match.kinds` list reaches, with CREATE/UPDATE (+ DELETE) or CONNECT. */
export function routesFor(kinds: readonly KindMatch[] | undefined, judgesDelete: boolean, served: readonly ServedResource[], deleteOnly = false): Route[] {
  if (deleteOnly) return kinds && kinds.length > 0 ? routesFor(kinds, true, served).flatMap(deletesOf) : [{ group: '*', resource: '*', operations: ['DELETE'] }];
  const writes: Operation[] = judgesDelete ? ['CREATE', 'UPDATE', 'DELETE'] : ['CREATE', 'UPDATE'];
  const out: Route[] = [];
  const list = kinds && kinds.length > 0 ? kinds : [{ apiGroups: ['*'], kinds: ['*'] }];
  for (const m of list) {
    const groups = m.apiGroups.length > 0 ? m.apiGroups : ['*'];
    const names = m.kinds.length > 0 ? m.kinds : ['*'];
    for (const group of groups) {
      for (const kind of names) {
        if (kind === '*') {
          out.push({ group, resource: '*', operations: writes });
          if (group === '*' || group === '') out.push(...podSubresources());
          continue;
        }
        const sub = CONNECT_KINDS[kind];
        if (sub !== undefined) {
          if (group === '*' || group === '') out.push({ group: '', resource: sub, operations: ['CONNECT'] });
          continue;
        }
        for (const r of served) {
          if (r.kind !== kind || (group !== '*' && r.group !== group)) continue;
          out.push({ group: r.group, resource: r.resource, operations: writes });
          if (r.group === '' && r.resource === 'pods') out.push({ group: '', resource: EPHEMERAL, operations: ['CREATE', 'UPDATE'] });
        }
      }
    }
  }
  return out;
}

/** The DELETE part of a route (none for subresources: they are not deleted through admission). */
function deletesOf(r: Route): Route[] {
  return r.operations.includes('DELETE') ? [{ group: r.group, resource: r.resource, operations: ['DELETE'] }] : [];
}

/**
 * Other owners' templates (custom templates) as routing input, without reading their constraints
 * (the RBAC has no wildcard over constraint resources, whose names the catalog cannot know). Their
 * CREATE and UPDATE go through Gatekeeper's own configuration, as they would without this product.
 * One that judges DELETE (the seed's node-delete guard) gets DELETE of every resource routed, as
 * Gatekeeper's own `enableDeleteOperations` does: Gatekeeper then matches its constraints' kinds.
 * CONNECT for exec and attach is routed for our exec guard in any case.
 */
export function foreignRouted(templates: readonly { created: boolean; judgesDelete: boolean }[]): RoutedConstraint[] {
  return templates.some((t) => t.created && t.judgesDelete) ? [{ judgesDelete: true, deleteOnly: true }] : [];
}

const sortOps = (ops: Iterable<Operation>): Operation[] => OPERATION_ORDER.filter((o) => new Set(ops).has(o));

/** Whether `outer` (a `*` resource) routes everything `inner` needs. `*` never covers subresources. */
function swallows(outer: Route, inner: Route): boolean {
  if (outer === inner || outer.resource !== '*' || inner.resource.includes('/')) return false;
  if (inner.resource === '*' && !(outer.group === '*' && inner.group !== '*')) return false;
  if (outer.group !== '*' && outer.group !== inner.group) return false;
  return inner.operations.every((o) => outer.operations.includes(o));
}

/** Merged, minimal, deterministic rules for every route of every constraint. */
export function routingRules(constraints: readonly RoutedConstraint[], served: readonly ServedResource[]): RuleWithOperations[] {
  const merged = new Map<string, { group: string; resource: string; ops: Set<Operation> }>();
  for (const c of constraints) {
    for (const r of routesFor(c.kinds, c.judgesDelete, served, c.deleteOnly)) {
      const key = `${r.group}\u0000${r.resource}`;
      let entry = merged.get(key);
      if (!entry) merged.set(key, (entry = { group: r.group, resource: r.resource, ops: new Set() }));
      for (const o of r.operations) entry.ops.add(o);
    }
  }
  const routes: Route[] = [...merged.values()].map((e) => ({ group: e.group, resource: e.resource, operations: sortOps(e.ops) }));
  const kept = routes.filter((r) => !routes.some((o) => swallows(o, r)));
  const byRule = new Map<string, RuleWithOperations>();
  for (const r of kept) {
    const key = `${r.group}\u0000${r.operations.join(',')}`;
    let rule = byRule.get(key);
    if (!rule) byRule.set(key, (rule = { apiGroups: [r.group], apiVersions: ['*'], operations: r.operations, resources: [], scope: '*' }));
    rule.resources.push(r.resource);
  }
  const rules = [...byRule.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, r]) => r);
  for (const r of rules) r.resources.sort(byCodePoint);
  return rules;
}

/** Whether the rules send every operation of the route to the webhook. */
export function routeCovered(rules: readonly RuleWithOperations[], route: Route): boolean {
  return route.operations.every((op) => rules.some((rule) =>
    (rule.apiGroups.includes('*') || rule.apiGroups.includes(route.group))
    && (rule.operations.includes(op) || (rule.operations as string[]).includes('*'))
    && (rule.resources.includes(route.resource) || (rule.resources.includes('*') && !route.resource.includes('/'))
      || (route.resource.includes('/') && rule.resources.includes(`${route.resource.split('/')[0]}/*`)))));
}

/**
 * Whether a live configuration of ours routes what these kinds need, in every one of its webhooks
 * (the `Enforced` condition). Unknown shapes count as not routed.
 */
export function kindsRouted(kinds: readonly KindMatch[] | undefined, judgesDelete: boolean, served: readonly ServedResource[], live: unknown): boolean {
  const webhooks = (live as { webhooks?: { rules?: RuleWithOperations[] }[] } | undefined)?.webhooks;
  if (!Array.isArray(webhooks) || webhooks.length === 0) return false;
  const routes = routesFor(kinds, judgesDelete, served);
  return webhooks.every((w) => Array.isArray(w.rules) && routes.every((r) => routeCovered(w.rules!, r)));
}

/**
 * Whether a ConstraintTemplate judges DELETE requests: any of its sources (Rego, libs, CEL) names
 * the operation as a string literal (`input.review.operation == "DELETE"`). Our own templates ignore
 * DELETE (lib.review), so only custom templates add DELETE routing.
 */
export function judgesDelete(template: unknown): boolean {
  const targets = (template as { spec?: { targets?: unknown } } | undefined)?.spec?.targets;
  const pattern = /["'`]DELETE["'`]/;
  const stack: unknown[] = [targets];
  let budget = 10_000;
  while (stack.length > 0 && budget-- > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (pattern.test(v)) return true;
    } else if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (v && typeof v === 'object') stack.push(...Object.values(v as Record<string, unknown>));
  }
  return false;
}

export interface ClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

/** Gatekeeper's admission endpoint as its own configuration names it. */
export interface GatekeeperEndpoint {
  /** Gatekeeper's configuration (the owner of ours). */
  owner: { name: string; uid: string };
  clientConfig: ClientConfig;
}

/**
 * The endpoint of Gatekeeper's `validation.gatekeeper.sh` webhook in its configuration, with the
 * path set to `/v1/admit`; undefined when it has none (Gatekeeper not installed, or no CA yet).
 */
export function gatekeeperEndpoint(configuration: unknown): GatekeeperEndpoint | undefined {
  const c = configuration as { metadata?: { name?: string; uid?: string }; webhooks?: { name?: string; clientConfig?: ClientConfig }[] } | undefined;
  const name = c?.metadata?.name;
  const uid = c?.metadata?.uid;
  if (!name || !uid || !Array.isArray(c?.webhooks)) return undefined;
  const hook = c.webhooks.find((w) => w.name === GATEKEEPER_VALIDATION_WEBHOOK)
    ?? c.webhooks.find((w) => (w.clientConfig?.service?.path ?? w.clientConfig?.url ?? '').endsWith('/v1/admit'));
  const cc = hook?.clientConfig;
  // Without a CA bundle the API server cannot trust Gatekeeper's self-signed certificate: wait for
  // Gatekeeper's certificate controller to inject it.
  if (!cc?.caBundle) return undefined;
  const clientConfig: ClientConfig = {};
  if (cc.service?.name && cc.service.namespace) {
    clientConfig.service = { namespace: cc.service.namespace, name: cc.service.name, path: '/v1/admit' };
    if (cc.service.port !== undefined) clientConfig.service.port = cc.service.port;
  } else if (typeof cc.url === 'string' && /^https:\/\/[^/]+/.test(cc.url)) {
    clientConfig.url = `${/^https:\/\/[^/]+/.exec(cc.url)![0]}/v1/admit`;
  } else {
    return undefined;
  }
  clientConfig.caBundle = cc.caBundle;
  return { owner: { name, uid }, clientConfig };
}

// A cluster-scoped request has no `namespace` key at all: reading it would be an evaluation error,
// which fails closed (a Node could not be created). So `has()` first.
const systemPrefix = SYSTEM_NAMESPACE_PREFIXES.map((p) => `request.namespace.startsWith('${p}')`).join(' || ');
const systemNamespace = `has(request.namespace) && (${systemPrefix})`;

/**
 * Our ValidatingWebhookConfiguration: two webhooks with the same rules. User namespaces and
 * cluster-scoped objects use the configured failure policy and honour Gatekeeper's ignore label;
 * system namespaces (`d8-*`, `kube-*`) always fail open (a Gatekeeper outage must not stop the
 * platform's own components) and do not honour the ignore label, so the exec guard sees every
 * `d8-*` Pod. Gatekeeper's own namespace is never routed (it must be able to restart itself).
 * Owned by Gatekeeper's configuration: when Gatekeeper is uninstalled, the garbage collector
 * removes ours too, even with the operator gone.
 */
export function routingConfiguration(rules: readonly RuleWithOperations[], endpoint: GatekeeperEndpoint, settings: CompileSettings): GeneratedObject | undefined {
  if (rules.length === 0) return undefined;
  const notGatekeeper = { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [settings.gatekeeperNamespace] };
  const common = {
    admissionReviewVersions: ['v1'],
    clientConfig: endpoint.clientConfig,
    matchPolicy: 'Exact',
    objectSelector: {},
    rules: rules.map((r) => ({ ...r, apiGroups: [...r.apiGroups], apiVersions: [...r.apiVersions], operations: [...r.operations], resources: [...r.resources] })),
    sideEffects: 'None',
    timeoutSeconds: settings.admissionWebhook.timeoutSeconds,
  };
  return {
    apiVersion: ROUTING_API_VERSION,
    kind: ROUTING_KIND,
    metadata: {
      name: ROUTING_NAME,
      labels: ownershipLabels('BuiltIn', 'routing'),
      ownerReferences: [{ apiVersion: ROUTING_API_VERSION, kind: ROUTING_KIND, name: endpoint.owner.name, uid: endpoint.owner.uid }],
    },
    webhooks: [
      {
        name: USER_WEBHOOK,
        ...common,
        failurePolicy: settings.admissionWebhook.failurePolicy,
        matchConditions: [{ name: 'not-system-namespace', expression: `!has(request.namespace) || !(${systemPrefix})` }],
        namespaceSelector: { matchExpressions: [{ key: GATEKEEPER_IGNORE_LABEL, operator: 'DoesNotExist' }, notGatekeeper] },
      },
      {
        name: SYSTEM_WEBHOOK,
        ...common,
        failurePolicy: 'Ignore',
        matchConditions: [{ name: 'system-namespace', expression: systemNamespace }],
        namespaceSelector: { matchExpressions: [notGatekeeper] },
      },
    ],
  };
}
