import { effectiveSettings, liveObjects, namedKinds, namespaceInputs, policyInputs, readyTemplates, type CachedObject } from './snapshot.js';

describe('snapshot from caches', () => {
  test('policies take their kind from the cache they come from', () => {
    const sp = { apiVersion: 'deckhouse.io/v1alpha1', kind: 'Whatever', metadata: { name: 'a' }, spec: {} };
    const op = { metadata: { name: 'b' } };
    expect(policyInputs([sp], [op]).map((p) => `${p.kind}/${String(p.metadata?.name)}`)).toEqual(['SecurityPolicy/a', 'OperationPolicy/b']);
  });

  test('namedKinds: the watchKinds of OperationPolicies, garbage skipped', () => {
    const op = (policies: unknown) => ({ kind: 'OperationPolicy' as const, metadata: { name: 'x' }, spec: { policies } });
    expect(namedKinds([
      op({ requiredLabels: { watchKinds: ['/Namespace', 'apps/Deployment'] }, requiredAnnotations: { watchKinds: ['/Namespace', 7] } }),
      op({ requiredLabels: { watchKinds: 'x' } }), op(null),
      { kind: 'SecurityPolicy', spec: { policies: { requiredLabels: { watchKinds: ['/Pod'] } } } },
    ])).toEqual(['/Namespace', 'apps/Deployment']);
  });

  test('namespaces keep their labels; unlabelled ones get none', () => {
    expect(namespaceInputs([{ metadata: { name: 'x', labels: { a: 'b' } } }, { metadata: { name: 'y' } }])).toEqual([
      { name: 'x', labels: { a: 'b' } }, { name: 'y', labels: {} },
    ]);
  });

  test('only templates with status.created are ready', () => {
    const t = (name: string, status?: unknown): CachedObject => ({ metadata: { name }, status });
    expect([...readyTemplates([t('a', { created: true }), t('b', { created: false }), t('c')])]).toEqual(['a']);
  });

  test('live objects are keyed by group, kind, namespace and name', () => {
    const m = liveObjects([[{ apiVersion: 'config.gatekeeper.sh/v1alpha1', kind: 'Config', metadata: { name: 'config', namespace: 'gk' } }], []]);
    expect([...m.keys()]).toEqual(['config.gatekeeper.sh/Config/gk/config']);
  });
});

describe('effectiveSettings', () => {
  const mc = (settings: unknown): CachedObject => ({ metadata: { name: 'admission-policy-engine' }, spec: { settings } });

  test('no ModuleConfig: the defaults, in the given Gatekeeper namespace', () => {
    expect(effectiveSettings(undefined, undefined, 'gk')).toEqual({
      settings: { defaultPolicy: 'baseline', enforcementAction: 'deny', knownHostPortRanges: [], controllerValidation: true, gatekeeperNamespace: 'gk', policyReports: { enabled: false, maxResultsPerReport: 1000 }, admissionWebhook: { failurePolicy: 'Fail', timeoutSeconds: 3 } },
      unsupported: [],
    });
  });

  test('reference settings this operator does not implement are accepted and reported, not fatal', () => {
    const r = effectiveSettings(mc({ denyVulnerableImages: { enabled: true }, podSecurityStandards: { enforcementAction: 'Warn' } }), undefined, 'gk');
    expect(r.errors).toBeUndefined();
    expect(r.settings?.enforcementAction).toBe('warn');
    expect(r.unsupported).toEqual([{ field: 'settings.denyVulnerableImages', message: expect.stringContaining('is accepted but not implemented') as unknown }]);
    // A key that is in no version of the module is still a typo, and an error.
    expect(effectiveSettings(mc({ denyVulnerableImage: {} }), undefined, 'gk').errors?.[0].field).toBe('settings.denyVulnerableImage');
  });

  test('invalid settings keep the last good ones, and a fresh replica has none', () => {
    const good = effectiveSettings(mc({ podSecurityStandards: { defaultPolicy: 'Restricted' } }), undefined, 'gk').settings!;
    expect(good.defaultPolicy).toBe('restricted');
    const bad = effectiveSettings(mc({ podSecurityStandards: { defaultPolicy: 'Strict' } }), good, 'gk');
    expect(bad.settings).toBe(good);
    expect(bad.errors?.[0].field).toBe('settings.podSecurityStandards.defaultPolicy');
    expect(effectiveSettings(mc({ podSecurityStandards: { defaultPolicy: 'Strict' } }), undefined, 'gk').settings).toBeUndefined();
  });
});
