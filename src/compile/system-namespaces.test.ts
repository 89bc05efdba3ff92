import type { Match } from './types.js';
import { policyVariants, systemReach } from './system-namespaces.js';

describe('systemReach', () => {
  test.each([
    [undefined, [], ['d8-*', 'kube-*']],
    [['*'], [], ['d8-*', 'kube-*']],
    [['web', 'team-*'], [], []],
    [['kube-system', 'web'], [], ['kube-system']],
    [['d8-monitoring*'], [], ['d8-monitoring*']],
    [['d*', 'k*'], [], ['d8-*', 'kube-*']],
    [['*'], ['kube-*'], ['d8-*']],
    [['*'], ['d8-*', 'kube-*'], []],
    [['kube-system'], ['kube-*'], []],
  ] as const)('matchNames %j excludeNames %j reach %j', (names, excluded, want) => {
    expect(systemReach(names, excluded)).toEqual(want);
  });

  test('a suffix or infix glob is undecidable', () => {
    expect(systemReach(['*-system'])).toBe('undecidable');
    expect(systemReach(['web', '*ops*'])).toBe('undecidable');
  });
});

describe('policyVariants', () => {
  const base = (m: Partial<Match> = {}): Match => ({ kinds: [{ apiGroups: [''], kinds: ['Pod'] }], scope: 'Namespaced', ...m });
  const summary = (vs: ReturnType<typeof policyVariants>) => vs.map((v) => ({
    name: v.name, action: v.action, namespaces: v.match.namespaces, excluded: v.match.excludedNamespaces,
    opt: v.match.namespaceSelector?.matchExpressions?.find((e) => e.key === 'security.deckhouse.io/enable-security-policy-check')?.operator,
  }));

  test('deny policy selecting namespaces by label: user, warn-system and enforce-system variants', () => {
    const nsSel = { matchLabels: { team: 'a' } };
    const vs = policyVariants('p', 'deny', { namespaceSelector: { labelSelector: nsSel } }, base({ namespaceSelector: nsSel }));
    expect(summary(vs)).toEqual([
      { name: 'p', action: 'deny', namespaces: undefined, excluded: ['d8-*', 'kube-*'], opt: undefined },
      { name: 'd8-system-warn-p', action: 'warn', namespaces: ['d8-*', 'kube-*'], excluded: undefined, opt: 'NotIn' },
      { name: 'd8-system-enforce-p', action: 'deny', namespaces: ['d8-*', 'kube-*'], excluded: undefined, opt: 'In' },
    ]);
    // The policy's own namespace selector still applies to every variant.
    for (const v of vs) expect(v.match.namespaceSelector?.matchLabels).toEqual({ team: 'a' });
  });

  test('naming only system namespaces: the enforcing variant keeps the name', () => {
    const vs = policyVariants('p', 'deny', { namespaceSelector: { matchNames: ['kube-system'] } }, base({ namespaces: ['kube-system'] }));
    expect(summary(vs)).toEqual([
      { name: 'p', action: 'deny', namespaces: ['kube-system'], excluded: undefined, opt: 'In' },
      { name: 'd8-system-warn-p', action: 'warn', namespaces: ['kube-system'], excluded: undefined, opt: 'NotIn' },
    ]);
  });

  test('single constraint: warn and dryrun policies, no system reach, undecidable reach', () => {
    expect(policyVariants('p', 'warn', { namespaceSelector: { matchNames: ['*'] } }, base())).toHaveLength(1);
    expect(policyVariants('p', 'dryrun', {}, base())).toHaveLength(1);
    expect(policyVariants('p', 'deny', { namespaceSelector: { matchNames: ['web'] } }, base({ namespaces: ['web'] }))).toEqual([{ name: 'p', action: 'deny', match: base({ namespaces: ['web'] }) }]);
    expect(policyVariants('p', 'deny', { namespaceSelector: { matchNames: ['*-system'] } }, base())).toHaveLength(1);
  });

  test('variant names stay within 63 characters', () => {
    const name = 'a'.repeat(63);
    for (const v of policyVariants(name, 'deny', { labelSelector: { matchLabels: { x: 'y' } } }, base())) expect(v.name.length).toBeLessThanOrEqual(63);
  });
});
