// compile(snapshot) -> desired objects: pure and deterministic. The same function backs the
// operator and the offline `render` command: same input, byte-identical output. It never throws;
// bad input becomes per-policy errors and the other policies still compile.
import type { Check } from '../checks/types.js';
import { catalog as defaultCatalog } from '../checks/index.js';
import { compileBuiltins, gatekeeperConfig } from './builtins.js';
import { compilePolicy } from './policies.js';
import { compilePss, namespaceIssues } from './pss.js';
import { renderTemplate } from './template.js';
import type { Constraint, Desired, GeneratedObject, PolicyOutcome, Snapshot } from './types.js';

const byKindName = (a: { kind: string; metadata: { name: string } }, b: { kind: string; metadata: { name: string } }) =>
  a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name);

export function compile(snapshot: Snapshot, catalog: readonly Check[] = defaultCatalog): Desired {
  const constraints: Constraint[] = [...compilePss(catalog, snapshot.settings, snapshot.namespaces), ...compileBuiltins(catalog)];
  const policies: PolicyOutcome[] = [];
  const taken = new Map<string, string>();
  const nameOf = (p: (typeof snapshot.policies)[number]) => (typeof p.metadata?.name === 'string' ? p.metadata.name : '');
  const sorted = [...snapshot.policies].sort((a, b) =>
    a.kind.localeCompare(b.kind) || nameOf(a).localeCompare(nameOf(b)) || (a.origin ?? '').localeCompare(b.origin ?? ''));
  for (const input of sorted) {
    const { outcome, constraints: own } = compilePolicy(input, catalog, snapshot.settings);
    // Two documents defining the same policy (render input) would fight over one constraint.
    const key = `${input.kind}/${outcome.name}`;
    if (outcome.name && taken.has(key)) {
      outcome.valid = false;
      outcome.constraints = [];
      outcome.errors = [{ field: 'metadata.name', message: `${key} is defined twice (also in ${taken.get(key) ?? 'another document'}); keep one` }];
      policies.push(outcome);
      continue;
    }
    if (outcome.name) taken.set(key, input.origin ?? 'another document');
    policies.push(outcome);
    constraints.push(...own);
  }

  const usedKinds = new Set(constraints.map((c) => c.kind));
  const templates = catalog.map((c) => renderTemplate(c) as unknown as GeneratedObject).sort(byKindName);
  const config = gatekeeperConfig(catalog.filter((c) => usedKinds.has(c.kind)), snapshot.settings);
  return {
    objects: [...templates, config, ...(constraints as unknown as GeneratedObject[]).sort(byKindName)],
    policies,
    namespaceIssues: namespaceIssues(snapshot.namespaces),
  };
}

export type * from './types.js';
