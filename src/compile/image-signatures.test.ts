import { compile } from './index.js';
import { defaultCompileSettings } from './settings.js';
import type { PolicyInput } from './types.js';
import { assets } from '../../test/helpers/assets.js';
import { policyRevision } from '../api/image-reference.js';

const KEY = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8nXRh950IZbRj8Ra/N9sbqOPZrfM\n5/KAQN0/KjHcorm/J5yctVd7iEcnessRQjU917hmKO6JWVGHpDguIyakZA==\n-----END PUBLIC KEY-----';

function sp(name: string, refs: Record<string, unknown>[], created = ''): PolicyInput {
  return {
    apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy',
    metadata: { name, generation: 1, ...(created ? { creationTimestamp: created } : {}) },
    spec: { match: { namespaceSelector: { matchNames: ['team'] } }, policies: { allowPrivileged: true, allowPrivilegeEscalation: true, verifyImageSignatures: refs } },
  };
}

const run = (...policies: PolicyInput[]) => compile({ settings: defaultCompileSettings(), policies, namespaces: [] }, assets());

describe('verifyImageSignatures in compile', () => {
  test('one constraint per policy with the anchored patterns, the provider and the revision; the verifier configuration', () => {
    const d = run(sp('sigs', [{ reference: 'myrepo/*', publicKeys: [KEY] }, { reference: 'registry.example.com:5000/app', publicKeys: [KEY], dockerCfg: 'e30=' }]));
    expect(d.policies[0].valid).toBe(true);
    expect(d.policies[0].unsupported).toEqual([]);
    const c = d.objects.filter((o) => o.kind === 'D8VerifyImageSignatures');
    expect(c.map((o) => o.metadata.name)).toEqual(['sigs']);
    const config = { name: 'sigs', references: [{ reference: 'myrepo/*', publicKeys: [KEY] }, { reference: 'registry.example.com:5000/app', publicKeys: [KEY], dockerCfg: 'e30=' }] };
    expect((c[0].spec as { parameters: unknown }).parameters).toEqual({
      policy: 'sigs', revision: policyRevision(config), provider: 'ape-image-verifier',
      references: ['^docker\\.io/myrepo/.*$', '^registry\\.example\\.com:5000/app(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?(?:@sha256:[a-f0-9]{64})?$'],
    });
    expect(d.imageVerifier).toEqual([config]);
    // Credentials and keys stay out of the objects compile renders.
    expect(JSON.stringify(d.objects)).not.toContain('e30=');
    expect(JSON.stringify(d.objects)).not.toContain('BEGIN PUBLIC KEY');
  });

  test('no verifying policy: no verifier configuration', () => {
    expect(run().imageVerifier).toEqual([]);
  });

  test('references intersecting another policy\'s: the newer policy is invalid, naming the reference; identical ones are allowed', () => {
    const d = run(
      sp('old', [{ reference: 'registry.example.com/team/*', publicKeys: [KEY] }], '2026-01-01T00:00:00Z'),
      sp('new', [{ reference: 'other.io/*', publicKeys: [KEY] }, { reference: 'registry.example.com/team/app', publicKeys: [KEY] }], '2026-02-01T00:00:00Z'),
      sp('same', [{ reference: 'registry.example.com/team/*', publicKeys: [KEY] }], '2026-03-01T00:00:00Z'),
    );
    const byName = Object.fromEntries(d.policies.map((p) => [p.name, p]));
    expect(byName.old.valid).toBe(true);
    expect(byName.same.valid).toBe(true);
    expect(byName.new.valid).toBe(false);
    expect(byName.new.errors).toEqual([{
      field: 'spec.policies.verifyImageSignatures[1].reference',
      message: 'ImageReference "registry.example.com/team/app" has intersection in the SecurityPolicy "old" (its reference "registry.example.com/team/*"): references of different policies must not cover a common image',
    }]);
    expect(d.objects.filter((o) => o.metadata.labels?.['admission-policy-engine.deckhouse.io/source-name'] === 'new')).toEqual([]);
    expect([...d.sources.values()]).not.toContain('SecurityPolicy/new');
    expect(d.imageVerifier?.map((p) => p.name)).toEqual(['old', 'same']);
  });

  test('a reference the verifier cannot parse makes the policy invalid (never a compile crash)', () => {
    const d = run(sp('bad', [{ reference: 'registry.example.com/**', publicKeys: [KEY] }]));
    expect(d.policies[0].valid).toBe(false);
    expect(d.policies[0].errors[0].field).toBe('spec.policies.verifyImageSignatures[0].reference');
  });
});
