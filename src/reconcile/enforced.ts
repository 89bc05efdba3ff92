// Pure: whether a policy is really enforced (its `Enforced` condition and the ape_policy_enforced
// metric). True only when every one of its constraints exists, Gatekeeper reports it enforced in
// every pod (`status.byPod[].enforced`) and our routing sends Gatekeeper the kinds it matches.
import type { KindMatch } from '../checks/types.js';
import type { PolicyOutcome } from '../compile/types.js';

export interface EnforcedFact {
  status: boolean;
  reason: 'Enforced' | 'NoConstraints' | 'Unsupported' | 'Pending' | 'NotEnforcedByGatekeeper' | 'NotRouted';
  message: string;
}

/** What the caches say about one live constraint of ours. */
export interface LiveConstraintFacts {
  /** Every Gatekeeper pod reports it enforced. */
  enforced: boolean;
  kinds: readonly KindMatch[] | undefined;
}

const listed = (names: readonly string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;

export function policyEnforcement(
  outcome: PolicyOutcome,
  /** The constraints the policy has in force (an invalid policy keeps its previous ones). */
  constraints: readonly { kind: string; name: string }[],
  live: (kind: string, name: string) => LiveConstraintFacts | undefined,
  routed: (kinds: readonly KindMatch[] | undefined) => boolean,
): EnforcedFact {
  if (outcome.valid && outcome.unsupported.length > 0) {
    return { status: false, reason: 'Unsupported', message: `not enforced: ${outcome.unsupported.map((u) => u.field).join(', ')}` };
  }
  if (constraints.length === 0) return { status: true, reason: 'NoConstraints', message: 'no check applies; nothing to enforce' };
  const missing: string[] = [];
  const notEnforced: string[] = [];
  const notRouted: string[] = [];
  for (const c of constraints) {
    const name = `${c.kind}/${c.name}`;
    const facts = live(c.kind, c.name);
    if (!facts) missing.push(name);
    else if (!facts.enforced) notEnforced.push(name);
    else if (!routed(facts.kinds)) notRouted.push(name);
  }
  if (missing.length > 0) return { status: false, reason: 'Pending', message: `constraint(s) not created yet: ${listed(missing)}` };
  if (notEnforced.length > 0) {
    return { status: false, reason: 'NotEnforcedByGatekeeper', message: `Gatekeeper does not report ${listed(notEnforced)} enforced (status.byPod) yet` };
  }
  if (notRouted.length > 0) {
    return {
      status: false, reason: 'NotRouted',
      message: `no admission routing sends Gatekeeper the kinds of ${listed(notRouted)} (is Gatekeeper's ValidatingWebhookConfiguration installed with its CA?)`,
    };
  }
  return { status: true, reason: 'Enforced', message: `${constraints.length} constraint(s) enforced by Gatekeeper, requests routed` };
}
