// What the benchmarks feed the operator, in one place: the same policy and namespace shapes for the
// in-process compile figures and for the operator at scale, so the two can be compared. Built with
// the tests' builders (valid by construction). What the operator should produce is never counted by
// hand: it is compile() of the same inputs, read back from the API server and passed through the
// operator's own snapshot functions.
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { NamespaceInput } from '../../src/compile/types.js';
import { namespaceInputs, policyInputs, type CachedObject } from '../../src/reconcile/snapshot.js';
import { assets } from '../helpers/assets.js';
import { matchNames, matchNamespaceLabels, operationPolicy, securityPolicy } from '../helpers/policies.js';
import { CONSTRAINT_GROUP, constraintKey } from './observe.js';

type Match = ReturnType<typeof matchNames>;

/** Five checks; Deny and selecting by label, so each check also gets its d8-system-warn/enforce variants. */
export const benchSecurityPolicy = (i: number, match: Match = matchNamespaceLabels({ team: `t${i}` }), name = `sp-${i}`) => securityPolicy(name,
  { allowPrivileged: false, allowHostNetwork: false, allowedHostPorts: [{ min: 2000 + i, max: 3000 + i }], allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['ALL'], runAsUser: { rule: 'MustRunAsNonRoot' }, allowedVolumes: ['configMap', 'secret', 'emptyDir'] },
  match, { enforcementAction: 'Deny' });

/** Three checks, selecting namespaces by name. */
export const benchOperationPolicy = (i: number, match: Match = matchNames(`team-${i}-*`), name = `op-${i}`) => operationPolicy(name,
  { allowedRepos: [`registry${i}.example.com/`], disallowedImageTags: ['latest'], requiredProbes: ['livenessProbe'] }, match);

/** Half SecurityPolicies, half OperationPolicies, alternating. */
export const benchPolicy = (i: number) => (i % 2 ? benchSecurityPolicy(i) : benchOperationPolicy(i));

/** User namespaces spread over the three PSS actions (so every action's constraint set is in use). */
export const benchNamespace = (i: number): NamespaceInput => ({ name: `ns-${i}`, labels: { 'security.deckhouse.io/pod-policy-action': ['deny', 'warn', 'dryrun'][i % 3] } });

export type Desired = ReturnType<typeof compile>;

/** compile() of inputs as read from the API server, as the operator compiles them (default settings: the bench applies no ModuleConfig). */
export function desiredFor(securityPolicies: readonly CachedObject[], operationPolicies: readonly CachedObject[], namespaces: readonly CachedObject[], gatekeeperNamespace: string): Desired {
  return compile({ settings: { ...defaultCompileSettings(), gatekeeperNamespace }, policies: policyInputs(securityPolicies, operationPolicies), namespaces: namespaceInputs(namespaces) }, assets());
}

/** Constraint keys (`Kind/name`) of a compile result. */
export function constraintKeys(d: Desired): Set<string> {
  return new Set(d.objects.filter((o) => o.apiVersion.startsWith(`${CONSTRAINT_GROUP}/`)).map((o) => constraintKey(o.kind, o.metadata.name)));
}
