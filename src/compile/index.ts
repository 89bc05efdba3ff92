// compile(snapshot, assets) -> desired objects: pure and deterministic. The same function backs
// the operator and the offline `render` command: same input, byte-identical output on any machine
// (code-point ordering, no locale; no file reads: the Rego and schemas come in as `assets`). It
// never throws on input; bad input becomes per-policy errors and the other policies still compile.
import type { Check } from '../checks/types.js';
import { catalog as defaultCatalog } from '../checks/index.js';
import { byKey, thenBy } from '../util/order.js';
import type { Assets } from './assets.js';
import { compileBuiltins, gatekeeperConfig } from './builtins.js';
import { overlapErrors, verifierPolicies, type VerifyingPolicy } from './image-signatures.js';
import { compilePolicy } from './policies.js';
import { compilePss, namespaceIssues } from './pss.js';
import { renderTemplate } from './template.js';
import {
  objectKey, policySourceKey, type Constraint, type Desired, type GeneratedObject, type PolicyInput, type PolicyOutcome, type Snapshot,
  type SourceKey,
} from './types.js';

type Named = { kind: string; metadata: { name: string } };
const byKindName = thenBy<Named>(byKey((o) => o.kind), byKey((o) => o.metadata.name));

const nameOf = (p: PolicyInput) => (typeof p.metadata?.name === 'string' ? p.metadata.name : '');
const byPolicyIdentity = thenBy<PolicyInput>(byKey((p) => p.kind), byKey(nameOf), byKey((p) => p.origin ?? ''));

export function compile(snapshot: Snapshot, assets: Assets, catalog: readonly Check[] = defaultCatalog): Desired {
  const constraints: Constraint[] = [];
  for (const c of compilePss(catalog, snapshot.settings, snapshot.namespaces)) constraints.push(c);
  for (const c of compileBuiltins(catalog)) constraints.push(c);
  const policies: PolicyOutcome[] = [];
  const sources = new Map<string, SourceKey>();
  const taken = new Map<string, string>();
  const verifying: { policy: VerifyingPolicy; outcome: PolicyOutcome }[] = [];
  for (const input of [...snapshot.policies].sort(byPolicyIdentity)) {
    const { outcome, constraints: own, verifying: verifies } = compilePolicy(input, catalog, snapshot.settings, assets.schemas, snapshot.servedKinds);
    // Two documents defining the same policy (render input) would fight over one constraint.
    const key = policySourceKey(input.kind, outcome.name);
    if (outcome.name && taken.has(key)) {
      outcome.valid = false;
      outcome.constraints = [];
      outcome.errors = [{ field: 'metadata.name', message: `${key} is defined twice (also in ${taken.get(key) ?? 'another document'}); keep one` }];
      policies.push(outcome);
      continue;
    }
    if (outcome.name) taken.set(key, input.origin ?? 'another document');
    policies.push(outcome);
    if (verifies) verifying.push({ policy: verifies, outcome });
    for (const c of own) {
      constraints.push(c);
      sources.set(objectKey(c), key);
    }
  }

  // verifyImageSignatures references of different policies must not intersect (reference §7).
  const overlaps = overlapErrors(verifying.map((v) => v.policy));
  for (const { policy, outcome } of verifying) {
    const errors = overlaps.get(policy.name);
    if (!errors) continue;
    const key = policySourceKey('SecurityPolicy', policy.name);
    outcome.valid = false;
    outcome.errors = errors;
    outcome.notes = [];
    outcome.unsupported = [];
    outcome.constraints = [];
    for (let i = constraints.length - 1; i >= 0; i--) {
      const k = objectKey(constraints[i]);
      if (sources.get(k) === key) {
        constraints.splice(i, 1);
        sources.delete(k);
      }
    }
  }
  const imageVerifier = verifierPolicies(verifying.filter((v) => !overlaps.has(v.policy.name)).map((v) => v.policy));

  const usedKinds = new Set(constraints.map((c) => c.kind));
  const templates = catalog.map((c) => renderTemplate(c, assets.rego, { cel: assets.cel }) as unknown as GeneratedObject).sort(byKindName);
  const config = gatekeeperConfig(catalog.filter((c) => usedKinds.has(c.kind)), snapshot.settings);
  return {
    objects: [...templates, config, ...(constraints as unknown as GeneratedObject[]).sort(byKindName)],
    sources,
    policies,
    namespaceIssues: namespaceIssues(snapshot.namespaces),
    imageVerifier,
  };
}

export type * from './types.js';
export type { Assets } from './assets.js';
export { objectKey, policySourceKey } from './types.js';
