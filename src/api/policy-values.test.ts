import { schemas } from '../../test/helpers/assets.js';
import { re2Problem } from './policy-values.js';
import { validatePolicy } from './validate.js';

const sp = (policies: unknown, match: unknown = { namespaceSelector: { matchNames: ['web'] } }) =>
  ({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'p' }, spec: { match, policies } });
const op = (policies: unknown, match: unknown = { namespaceSelector: { matchNames: ['web'] } }) =>
  ({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy', metadata: { name: 'p' }, spec: { match, policies } });

function errorsOf(obj: unknown): { field: string; message: string }[] {
  const r = validatePolicy(obj, schemas());
  return r.ok ? [] : r.errors;
}

describe('values that would allow or deny everything are refused where they are written', () => {
  test('an empty repository prefix', () => {
    expect(errorsOf(op({ allowedRepos: ['registry.example.com/', ''] }))).toEqual([
      { field: 'spec.policies.allowedRepos[1]', message: expect.stringContaining('an empty prefix matches every image') as unknown },
    ]);
  });

  test.each([
    ['^(?!prod).*$', 'lookahead'],
    ['(a)\\1', 'backreference'],
    ['[', 'does not compile'],
  ])('allowedRegex %j (%s) is not RE2', (re) => {
    const errs = errorsOf(op({ requiredLabels: { labels: [{ key: 'env', allowedRegex: re }], watchKinds: ['/Pod'] } }));
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('spec.policies.requiredLabels.labels[0].allowedRegex');
    expect(errs[0].message).toContain('is not a valid RE2 regular expression');
    expect(errorsOf(op({ requiredAnnotations: { annotations: [{ key: 'a', allowedRegex: re }], watchKinds: ['/Pod'] } }))[0].field)
      .toBe('spec.policies.requiredAnnotations.annotations[0].allowedRegex');
  });

  test('resource name patterns are RE2 too', () => {
    expect(errorsOf(op({ disallowedCustomResources: ['example.com/(?!x)'] }))[0].field).toBe('spec.policies.disallowedCustomResources[0]');
    expect(errorsOf(op({ gpuResourceRestriction: { namespaceLabel: { key: 'gpu' }, gpuResourcePatterns: ['^nvidia\\.com/', '('] } }))[0].field)
      .toBe('spec.policies.gpuResourceRestriction.gpuResourcePatterns[1]');
    expect(errorsOf(op({ disallowedCustomResources: ['^example\\.com/fpga$'] }))).toEqual([]);
  });

  test('RE2 patterns Go accepts pass', () => {
    for (const re of ['^prod$', '(?P<x>a)', '(?i)prod', '\\d+', '^(dev|prod)-[a-z]{1,10}$']) expect(re2Problem(re)).toBeUndefined();
    expect(errorsOf(op({ requiredLabels: { labels: [{ key: 'env', allowedRegex: '^(dev|prod)$' }], watchKinds: ['/Pod'] } }))).toEqual([]);
  });

  test('MustRunAs / MayRunAs need ranges; MustRunAsNonRoot takes none', () => {
    expect(errorsOf(sp({ runAsUser: { rule: 'MustRunAs' } }))[0]).toMatchObject({ field: 'spec.policies.runAsUser.ranges', message: expect.stringContaining('at least one range') as unknown });
    expect(errorsOf(sp({ fsGroup: { rule: 'MayRunAs', ranges: [] } }))[0].field).toBe('spec.policies.fsGroup.ranges');
    expect(errorsOf(sp({ runAsUser: { rule: 'MustRunAsNonRoot', ranges: [{ min: 1, max: 2 }] } }))[0].message).toContain('has no effect when rule is MustRunAsNonRoot');
    expect(errorsOf(sp({ runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1000, max: 2000 }] }, supplementalGroups: { rule: 'RunAsAny', ranges: [{ min: 1, max: 2 }] } }))).toEqual([]);
  });

  test('unknown seccomp profile names, with a suggestion', () => {
    const errs = errorsOf(sp({ seccompProfiles: { allowedProfiles: ['runtimedefault', 'RuntimeDefault', 'localhost/prof.json', 'Strict'] } }));
    expect(errs.map((e) => e.field)).toEqual(['spec.policies.seccompProfiles.allowedProfiles[0]', 'spec.policies.seccompProfiles.allowedProfiles[3]']);
    expect(errs[0].message).toContain('did you mean RuntimeDefault?');
  });

  test('a toleration pattern that names nothing', () => {
    expect(errorsOf(op({ disallowedTolerations: [{ key: 'a' }, {}] }))).toEqual([
      { field: 'spec.policies.disallowedTolerations[1]', message: expect.stringContaining('names nothing') as unknown },
    ]);
  });

  test.each([
    ['/pod', '/Pod'], ['v1/Pod', '/Pod'], ['core/Pod', '/Pod'], ['apps/deployment', 'apps/Deployment'], ['/Deployment', 'apps/Deployment'], ['v1/Deployment', 'apps/Deployment'],
  ])('watchKinds %j: did you mean %j', (wk, hint) => {
    const errs = errorsOf(op({ requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Namespace', wk] } }));
    expect(errs).toEqual([{ field: 'spec.policies.requiredLabels.watchKinds[1]', message: expect.stringContaining(`did you mean "${hint}"?`) as unknown }]);
  });

  test('custom kinds and correct built-in kinds pass', () => {
    expect(errorsOf(op({ requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Pod', 'apps/Deployment', 'example.com/Widget', 'networking.k8s.io/Ingress'] } }))).toEqual([]);
  });

  test.each([
    [['*'], ['*']],
    [['team-*'], ['team-*']],
    [['team-a', 'team-b'], ['team-*']],
    [['team-a-*'], ['team-*']],
  ])('matchNames %j with excludeNames %j selects nothing', (matchNames, excludeNames) => {
    const errs = errorsOf(sp({ allowPrivileged: false }, { namespaceSelector: { matchNames, excludeNames } }));
    expect(errs).toEqual([{ field: 'spec.match.namespaceSelector.excludeNames', message: expect.stringContaining('the policy would apply nowhere') as unknown }]);
  });

  test.each([
    [['*'], ['kube-*']],
    [['team-*'], ['team-a']],
    [['team-a', 'other'], ['team-*']],
    [['*-prod'], ['team-*']],
  ])('matchNames %j with excludeNames %j still selects something', (matchNames, excludeNames) => {
    expect(errorsOf(sp({ allowPrivileged: false }, { namespaceSelector: { matchNames, excludeNames } }))).toEqual([]);
  });
});
