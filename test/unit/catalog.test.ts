// The catalog checks itself: unique kinds and folders, each check's Rego present (with its unit
// tests and a gator suite), and every `fields` entry a real property of its CRD's spec.policies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_YET_ENFORCED, catalog } from '../../src/checks/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { schemas } from '../helpers/assets.js';

type Schema = { properties?: Record<string, Schema> };

function policiesSchema(kind: 'SecurityPolicy' | 'OperationPolicy'): Schema {
  const root = schemas()[kind] as Schema;
  return root.properties!.spec.properties!.policies;
}

function hasPath(schema: Schema, path: string): boolean {
  let node: Schema | undefined = schema;
  for (const part of path.split('.')) node = node?.properties?.[part];
  return node !== undefined;
}

describe('check catalog', () => {
  test('kinds, template names and Rego folders are unique; kinds look like Gatekeeper kinds', () => {
    const kinds = catalog.map((c) => c.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(new Set(kinds.map((k) => k.toLowerCase())).size).toBe(kinds.length);
    expect(new Set(catalog.map((c) => c.rego)).size).toBe(catalog.length);
    for (const k of kinds) expect(k).toMatch(/^D8[A-Z][A-Za-z0-9]*$/);
  });

  test.each(catalog.map((c) => [c.kind, c] as const))('%s: Rego, unit tests and gator suite exist', (_k, check) => {
    const root = packageRoot();
    expect(existsSync(join(root, 'templates-rego', check.rego, 'src.rego'))).toBe(true);
    expect(existsSync(join(root, 'templates-rego', check.rego, 'src_test.rego'))).toBe(true);
    expect(existsSync(join(root, 'test/suites', check.rego, 'suite.yaml'))).toBe(true);
  });

  test.each(catalog.map((c) => [c.kind, c] as const))('%s: its engines are what its folder holds; inventory readers are Rego-only', (_k, check) => {
    const root = packageRoot();
    expect(check.engines[0]).toBe('Rego');
    expect(existsSync(join(root, 'templates-rego', check.rego, 'src.cel.yaml'))).toBe(check.engines.includes('K8sNativeValidation'));
    // CEL cannot read Gatekeeper's inventory: only a check that reads it to waive findings
    // (SecurityPolicyExceptions) may have CEL, judging objects that reference none.
    const decidesByInventory = (check.syncs ?? []).some((s) => s.kind !== 'SecurityPolicyException');
    if (decidesByInventory) expect(check.engines).toEqual(['Rego']);
  });

  const policyChecks = catalog.flatMap((c) => (c.source === 'BuiltIn' ? [] : [c]));
  test.each(policyChecks.map((c) => [c.kind, c] as const))('%s: every field exists in its CRD', (_k, check) => {
    const schema = policiesSchema(check.source);
    const missing = (check.fields as string[]).filter((f) => !hasPath(schema, f));
    expect(missing).toEqual([]);
    // A check fed by a policy consumes at least one field; only PSS-only checks consume none.
    if (check.fromPolicy) expect(check.fields.length).toBeGreaterThan(0);
    else expect(check.pss).toBeDefined();
  });

  test('no field is consumed by two checks of the same source', () => {
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const c of catalog) {
      if (c.source === 'BuiltIn') continue;
      for (const f of c.fields as string[]) {
        const key = `${c.source}.${f}`;
        if (seen.has(key)) dupes.push(`${key}: ${seen.get(key)} and ${c.kind}`);
        seen.set(key, c.kind);
      }
    }
    expect(dupes).toEqual([]);
  });

  // The contract: nothing the CRDs accept goes unenforced without saying so.
  test.each(['SecurityPolicy', 'OperationPolicy'] as const)('%s: every spec.policies field is consumed by exactly one check, or listed as not yet enforced', (kind) => {
    const crdFields = Object.keys(policiesSchema(kind).properties ?? {}).sort();
    const consumers = new Map<string, string[]>();
    for (const c of policyChecks.filter((k) => k.source === kind)) {
      for (const f of c.fields as string[]) {
        const top = f.split('.')[0];
        consumers.set(top, [...new Set([...(consumers.get(top) ?? []), c.kind])]);
      }
    }
    const pending = Object.keys(NOT_YET_ENFORCED[kind]);
    const unaccounted = crdFields.filter((f) => !consumers.has(f) && !pending.includes(f));
    expect(unaccounted).toEqual([]);
    expect([...consumers].filter(([, ks]) => ks.length > 1)).toEqual([]);
    // A field is either enforced or pending, never both, and pending fields exist in the CRD.
    expect(pending.filter((f) => consumers.has(f))).toEqual([]);
    expect(pending.filter((f) => !crdFields.includes(f))).toEqual([]);
  });
});
