// The PSS selection matrix: default policy x global action x namespace level label x namespace
// action label x user/system namespace. For every combination, exactly the expected standards
// reach the namespace, with the expected action. Also: the constraint count does not grow with
// the number of namespaces.
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import { CHECK_LABEL, POD_STANDARD_LABEL } from '../../src/compile/labels.js';
import type { Action, Constraint, NamespaceInput, Standard } from '../../src/compile/types.js';
import { catalog } from '../../src/checks/index.js';
import { matchesNamespace } from '../helpers/selectors.js';
import { assets } from '../helpers/assets.js';

const LEVELS = ['privileged', 'baseline', 'restricted'] as const;
const ACTIONS = ['deny', 'warn', 'dryrun'] as const;
const levelLabels = [undefined, 'privileged', 'baseline', 'restricted', 'strict'] as const;
const actionLabels = [undefined, 'deny', 'warn', 'dryrun', 'block'] as const;

function nsLabels(level: string | undefined, action: string | undefined, optIn = false): Record<string, string> {
  const l: Record<string, string> = {};
  if (level !== undefined) l['security.deckhouse.io/pod-policy'] = level;
  if (action !== undefined) l['security.deckhouse.io/pod-policy-action'] = action;
  if (optIn) l['security.deckhouse.io/enable-security-policy-check'] = 'true';
  return l;
}

/** (standard, action, check) triples that reach a namespace. */
function reaching(constraints: Constraint[], name: string, labels: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const c of constraints) {
    const std = c.metadata.labels[POD_STANDARD_LABEL];
    if (!std) continue;
    if (matchesNamespace(c.spec.match, name, labels)) out.add(`${std}/${c.spec.enforcementAction}/${c.metadata.labels[CHECK_LABEL]}`);
  }
  return out;
}

function expected(level: Standard, action: Action): Set<string> {
  const out = new Set<string>();
  const standards = level === 'restricted' ? ['baseline', 'restricted'] : level === 'baseline' ? ['baseline'] : [];
  for (const std of standards) for (const c of catalog) if (c.pss?.[std as 'baseline' | 'restricted']) out.add(`${std}/${action}/${c.kind}`);
  return out;
}

const isLevel = (v: string | undefined): v is Standard => (LEVELS as readonly (string | undefined)[]).includes(v);
const isAction = (v: string | undefined): v is Action => (ACTIONS as readonly (string | undefined)[]).includes(v);

describe('PSS selection matrix', () => {
  const cases: [Standard, Action][] = LEVELS.flatMap((d) => ACTIONS.map((a) => [d, a] as [Standard, Action]));
  test.each(cases)('default %s, global action %s', (defaultPolicy, globalAction) => {
    // Every namespace of the matrix exists at once, as in a real cluster.
    const namespaces: NamespaceInput[] = [];
    for (const l of levelLabels) for (const a of actionLabels) {
      namespaces.push({ name: `team-${l ?? 'none'}-${a ?? 'none'}`, labels: nsLabels(l, a) });
      namespaces.push({ name: `d8-${l ?? 'none'}-${a ?? 'none'}`, labels: nsLabels(l, a) });
      namespaces.push({ name: `kube-in-${l ?? 'none'}-${a ?? 'none'}`, labels: nsLabels(l, a, true) });
    }
    const settings = { ...defaultCompileSettings(), defaultPolicy, enforcementAction: globalAction };
    const desired = compile({ settings, policies: [], namespaces }, assets());
    const constraints = desired.objects.filter((o) => o.apiVersion.startsWith('constraints.')) as unknown as Constraint[];
    let checked = 0;
    for (const l of levelLabels) for (const a of actionLabels) {
      const level = isLevel(l) ? l : defaultPolicy;
      const action = isAction(a) ? a : globalAction;
      // User namespaces and opted-in system namespaces: labels and defaults decide.
      for (const name of [`team-${l ?? 'none'}-${a ?? 'none'}`, `kube-in-${l ?? 'none'}-${a ?? 'none'}`]) {
        const ns = namespaces.find((n) => n.name === name)!;
        expect({ name, got: [...reaching(constraints, name, ns.labels)].sort() }).toEqual({ name, got: [...expected(level, action)].sort() });
        checked++;
      }
      // System namespaces not opted in: measured against both standards, warn only.
      const sys = `d8-${l ?? 'none'}-${a ?? 'none'}`;
      const sysLabels = namespaces.find((n) => n.name === sys)!.labels;
      const want = new Set([...expected('restricted', 'warn')]);
      expect({ name: sys, got: [...reaching(constraints, sys, sysLabels)].sort() }).toEqual({ name: sys, got: [...want].sort() });
      checked++;
    }
    expect(checked).toBe(levelLabels.length * actionLabels.length * 3);
    // Invalid values are reported, and nothing else is.
    const issues = desired.namespaceIssues.map((i) => `${i.namespace} ${i.label}=${i.value}`);
    expect(issues.every((i) => i.includes('=strict') || i.includes('=block'))).toBe(true);
    // One issue per namespace with "strict" (one per action label) and per namespace with "block".
    expect(issues.length).toBe(3 * (actionLabels.length + levelLabels.length));
  });

  test('the number of constraints does not grow with the number of namespaces', () => {
    const settings = defaultCompileSettings();
    const labels = [nsLabels('restricted', 'warn'), nsLabels('baseline', 'dryrun'), nsLabels(undefined, undefined)];
    const count = (n: number) => compile({ settings, policies: [], namespaces: Array.from({ length: n }, (_, i) => ({ name: `ns-${i}`, labels: labels[i % 3] })) }, assets()).objects.length;
    expect(count(3)).toBe(count(3000));
  });

  test('actions in use: only the default set exists until a namespace asks for another action', () => {
    const settings = defaultCompileSettings();
    const names = (nss: NamespaceInput[]) => new Set(compile({ settings, policies: [], namespaces: nss }, assets()).objects.map((o) => o.metadata.name));
    const none = names([]);
    expect([...none].filter((n) => n.startsWith('d8-pod-security-')).sort()).toEqual([
      'd8-pod-security-baseline-deny-default', 'd8-pod-security-baseline-warn-system',
      'd8-pod-security-restricted-deny-default', 'd8-pod-security-restricted-warn-system',
    ]);
    const withWarn = names([{ name: 'a', labels: nsLabels(undefined, 'warn') }]);
    expect(withWarn.has('d8-pod-security-baseline-warn')).toBe(true);
    expect(withWarn.has('d8-pod-security-restricted-warn')).toBe(true);
    expect(withWarn.has('d8-pod-security-baseline-dryrun')).toBe(false);
  });
});

describe('requiredLabels / requiredAnnotations follow the policy watchKinds', () => {
  test('kinds come from watchKinds, grouped by API group', () => {
    const policy = {
      apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy' as const, metadata: { name: 'labels' },
      spec: {
        policies: {
          requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Pod', 'apps/Deployment', 'apps/StatefulSet', 'networking.k8s.io/Ingress'] },
          requiredAnnotations: { annotations: [{ key: 'owner', allowedRegex: '^[a-z]+$' }], watchKinds: ['/Service'] },
        },
        match: { namespaceSelector: { matchNames: ['team-a'] } },
      },
    };
    const desired = compile({ settings: defaultCompileSettings(), policies: [policy], namespaces: [] }, assets());
    expect(desired.policies[0].errors).toEqual([]);
    const byKind = new Map(desired.objects.filter((o) => o.metadata.name === 'labels').map((o) => [o.kind, o as unknown as Constraint]));
    expect(byKind.get('D8RequiredLabels')!.spec.match.kinds).toEqual([
      { apiGroups: [''], kinds: ['Pod'] },
      { apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet'] },
      { apiGroups: ['networking.k8s.io'], kinds: ['Ingress'] },
    ]);
    expect(byKind.get('D8RequiredLabels')!.spec.parameters).toEqual({ labels: [{ key: 'team' }] });
    expect(byKind.get('D8RequiredAnnotations')!.spec.match.kinds).toEqual([{ apiGroups: [''], kinds: ['Service'] }]);
    expect(byKind.get('D8RequiredAnnotations')!.spec.parameters).toEqual({ annotations: [{ key: 'owner', allowedRegex: '^[a-z]+$' }] });
  });
});
