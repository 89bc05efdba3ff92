// gator has no external data (its Rego lacks Gatekeeper's `external_data` builtin), so a template
// that calls it does not compile there: tests that feed whole compile outputs to gator leave such
// templates, and their constraints, out. D8VerifyImageSignatures is proven with a stand-in provider
// (test/suites/verify-image-signatures) and end to end (test/e2e/verify-image-signatures.test.ts).
import type { GeneratedObject } from '../../src/compile/types.js';

function callsExternalData(o: GeneratedObject): boolean {
  const targets = (o.spec as { targets?: { code?: { source?: { rego?: string } }[] }[] } | undefined)?.targets ?? [];
  return targets.some((t) => (t.code ?? []).some((c) => (c.source?.rego ?? '').includes('external_data(')));
}

export function withoutExternalData<T extends GeneratedObject>(objects: readonly T[]): T[] {
  const dropped = new Set(objects.filter((o) => o.kind === 'ConstraintTemplate' && callsExternalData(o))
    .map((o) => ((o.spec as { crd?: { spec?: { names?: { kind?: string } } } }).crd?.spec?.names?.kind ?? '')));
  return objects.filter((o) => !(o.kind === 'ConstraintTemplate' && callsExternalData(o)) && !dropped.has(o.kind));
}
