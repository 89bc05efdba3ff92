// manifests/rbac.yaml is generated from the catalog (src/cli/rbac.ts) and is exactly that output;
// the rules have the least-privilege shape the issue asks for. APE_WRITE_RBAC=1 rewrites the file.
// What the rules allow and refuse on a real API server: test/e2e/install.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { catalog } from '../../src/checks/index.js';
import type { Check } from '../../src/checks/types.js';
import { clusterRules, operatorRbac, renderRbacYaml, routingRules } from '../../src/cli/rbac.js';
import { packageRoot } from '../../src/util/package-root.js';

const file = join(packageRoot(), 'manifests/rbac.yaml');
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection', '*'];

interface Rule { apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[]; verbs: string[] }
interface RbacObject { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[] }

describe('operator RBAC', () => {
  const expected = renderRbacYaml(catalog);
  if (process.env.APE_WRITE_RBAC === '1') writeFileSync(file, expected);

  test('manifests/rbac.yaml is exactly what the catalog generates', () => {
    // On failure: APE_WRITE_RBAC=1 and review the diff.
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  const shipped = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as RbacObject);
  const clusterRole = shipped.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'admission-policy-engine')!;

  test('constraints and templates: the catalog\'s kinds, templates by name, no wildcard anywhere', () => {
    const kinds = catalog.map((c) => c.kind.toLowerCase()).sort();
    const constraintWrites = clusterRole.rules!.filter((r) => r.apiGroups?.includes('constraints.gatekeeper.sh') && r.verbs.some((v) => WRITE_VERBS.includes(v)));
    expect(constraintWrites).toHaveLength(1);
    expect(constraintWrites[0].resources).toEqual(kinds);
    const templateWrites = clusterRole.rules!.filter((r) => r.resources?.includes('constrainttemplates') && r.verbs.some((v) => WRITE_VERBS.includes(v)));
    expect(templateWrites).toEqual([{ apiGroups: ['templates.gatekeeper.sh'], resources: ['constrainttemplates'], resourceNames: kinds, verbs: ['create', 'delete', 'patch'] }]);
    for (const o of shipped) {
      for (const r of o.rules ?? []) {
        expect(r.verbs).not.toContain('*');
        expect(r.apiGroups ?? []).not.toContain('*');
        // No wildcard at all, not even to read: constraint resources come from the catalog, and
        // other owners' templates are routed without reading their constraints (compile/routing.ts).
        expect(r.resources ?? []).not.toContain('*');
      }
    }
  });

  test('a check added to the catalog gets exactly its template and constraint resource', () => {
    const extra: Check = { ...catalog[0], kind: 'D8SomethingNew' };
    const before = clusterRules(catalog);
    const after = clusterRules([...catalog, extra]);
    const diff = after.filter((r, i) => JSON.stringify(r) !== JSON.stringify(before[i]));
    expect(diff.map((r) => r.resources)).toEqual([['constrainttemplates'], expect.arrayContaining(['d8somethingnew'])]);
    expect(diff[0].resourceNames).toContain('d8somethingnew');
  });

  test('named objects are granted by name; Lease and Config in their namespaces only', () => {
    const rule = (o: RbacObject | undefined, resource: string) => o?.rules?.filter((r) => r.resources?.includes(resource)) ?? [];
    expect(rule(clusterRole, 'moduleconfigs')).toEqual([{ apiGroups: ['deckhouse.io'], resources: ['moduleconfigs'], resourceNames: ['admission-policy-engine'], verbs: ['list', 'watch'] }]);
    // Events: create and list only (list is still cluster-wide: see the TODO in src/cli/rbac.ts).
    expect(rule(clusterRole, 'events')).toEqual([{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }]);
    for (const o of shipped.filter((x) => x.kind === 'ClusterRole')) expect(rule(o, 'configs')).toEqual([]);
    for (const o of shipped.filter((x) => x.kind === 'ClusterRole')) expect(rule(o, 'leases')).toEqual([]);
    const leases = shipped.find((o) => o.kind === 'Role' && rule(o, 'leases').length > 0)!;
    expect(leases.metadata.namespace).toBe('d8-system');
    // Everything but create names the Lease (create cannot be restricted by name).
    for (const r of rule(leases, 'leases')) expect(r.resourceNames ?? r.verbs).toEqual(r.resourceNames ? ['admission-policy-engine'] : ['create']);
    const config = shipped.find((o) => o.kind === 'Role' && rule(o, 'configs').length > 0)!;
    expect(config.metadata.namespace).toBe('gatekeeper-system');
    expect(rule(config, 'configs')[0].resourceNames).toEqual(['config']);
    // Secrets: only the image verifier's own two, by name, in Gatekeeper's namespace; never
    // Gatekeeper's certificate (README "Admission routing") nor any other.
    const secrets = shipped.flatMap((o) => rule(o, 'secrets').map((r) => ({ ns: o.metadata.namespace, kind: o.kind, names: r.resourceNames })));
    expect(secrets).toEqual([{ ns: 'gatekeeper-system', kind: 'Role', names: ['ape-image-verifier-config', 'ape-image-verifier-tls'] }]);
  });

  test('every Role and ClusterRole is bound to the operator\'s ServiceAccount, except the metrics reader', () => {
    const roles = shipped.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    const bindings = shipped.filter((o) => o.kind.endsWith('Binding')) as unknown as { kind: string; metadata: { namespace?: string }; roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace: string }[] }[];
    for (const r of roles) {
      const b = bindings.filter((x) => x.roleRef.name === r.metadata.name && x.roleRef.kind === r.kind && x.metadata.namespace === r.metadata.namespace);
      if (r.metadata.name === 'admission-policy-engine-metrics-reader') expect(b).toEqual([]);
      else expect(b.map((x) => x.subjects)).toEqual([[{ kind: 'ServiceAccount', name: 'admission-policy-engine', namespace: 'd8-system' }]]);
    }
  });

  test('the admission routing rules are one marked block, part of the ClusterRole', () => {
    const text = readFileSync(join(packageRoot(), 'src/cli/rbac.ts'), 'utf8');
    expect(text).toMatch(/---- Admission routing[\s\S]*OWNED BY THE ADMISSION-ROUTING WORK[\s\S]*---- end of admission routing/);
    const rules = operatorRbac(catalog)[0].object.rules as Rule[];
    for (const r of routingRules()) expect(rules).toContainEqual(Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'why')));
  });
});
