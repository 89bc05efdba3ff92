import { apiHost, formatImage, normaliseReference, parseImage, referenceMatches, referencePattern, referencesOverlap } from './reference.js';
import { parseProviderKey, policyRevision, providerKey, parseConfig, CONFIG_API_VERSION, CONFIG_KIND } from './config.js';
import { parseDockerCfg } from './dockercfg.js';
import { parseChallenge } from './registry.js';
import fc from 'fast-check';
import { RE2JS } from 're2js';

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['nginx:1.17.2', 'docker.io/library/nginx:1.17.2'],
    ['myrepo/app:v1', 'docker.io/myrepo/app:v1'],
    ['index.docker.io/myrepo/app', 'docker.io/myrepo/app'],
    ['docker.io/nginx', 'docker.io/library/nginx'],
    ['localhost/app', 'localhost/app'],
    ['localhost:5000/a/b:t', 'localhost:5000/a/b:t'],
    ['registry.example.com/team/app@sha256:' + 'a'.repeat(64), 'registry.example.com/team/app@sha256:' + 'a'.repeat(64)],
    ['127.0.0.1:5000/app:1@sha256:' + 'b'.repeat(64), '127.0.0.1:5000/app:1@sha256:' + 'b'.repeat(64)],
  ])('%s normalises to %s', (image, normalised) => {
    expect(formatImage(parseImage(image))).toBe(normalised);
  });

  it('Docker Hub is spoken to at registry-1.docker.io; other registries at their own host', () => {
    expect(apiHost(parseImage('nginx').registry)).toBe('registry-1.docker.io');
    expect(apiHost(parseImage('index.docker.io/a/b').registry)).toBe('registry-1.docker.io');
    expect(apiHost(parseImage('ghcr.io/a/b').registry)).toBe('ghcr.io');
  });

  it.each(['', 'UPPER/case', 'app@sha256:short', 'app@md5:' + 'a'.repeat(32), 'a//b', 'app:bad tag', 'host.com/'])('refuses %j', (image) => {
    expect(() => parseImage(image)).toThrow();
  });

  it.each([
    ['docker.io/myrepo/*', 'myrepo/app:1', true],
    ['docker.io/myrepo/*', 'docker.io/myrepo/app', true],
    ['docker.io/myrepo/*', 'index.docker.io/myrepo/app@sha256:' + 'c'.repeat(64), true],
    ['docker.io/myrepo/*', 'docker.io/other/app', false],
    ['myrepo/*', 'docker.io/myrepo/app', true],
    ['company.registry.com/*', 'company.registry.com/a/b:c', true],
    ['company.registry.com/*', 'company.registry.com.evil.io/a', false],
    ['company.registry.com*', 'company.registry.com.evil.io/a', true],
    ['nginx', 'nginx:1.17.2', true],
    ['nginx', 'docker.io/library/nginx@sha256:' + 'd'.repeat(64), true],
    ['nginx', 'nginx-other', false],
    ['nginx:1.17', 'nginx:1.17@sha256:' + 'd'.repeat(64), true],
    ['nginx:1.17', 'nginx:1.18', false],
    ['ngin*', 'nginx', true],
    ['*', 'anything.example/x', true],
  ])('reference %s covers %s: %s', (reference, image, expected) => {
    expect(referenceMatches(reference, image)).toBe(expected);
  });

  it('patterns are anchored and RE2-compatible (no lookaround, no backreferences)', () => {
    for (const r of ['docker.io/myrepo/*', 'nginx', 'nginx:1', 'a.io/b@sha256:' + 'e'.repeat(64), '*']) {
      const p = referencePattern(r);
      expect(p.startsWith('^') && p.endsWith('$')).toBe(true);
      expect(p).not.toMatch(/\(\?[=!<]|\\[1-9]/);
    }
    expect(normaliseReference('myrepo/*')).toEqual({ prefix: true, value: 'docker.io/myrepo/' });
    expect(() => normaliseReference('a*b*')).toThrow();
  });

  it('the patterns mean the same in RE2 (Gatekeeper\'s Rego) as here', () => {
    const word = fc.constantFrom('a', 'app', 'my-repo', 'team', 'library', 'nginx', 'x_y', 'v1.2');
    const host = fc.constantFrom('', 'docker.io/', 'index.docker.io/', 'registry.example.com/', 'localhost:5000/', 'registry.example.com.evil.io/');
    const image = fc.tuple(host, fc.array(word.filter((w) => !w.includes('.')), { minLength: 1, maxLength: 3 }), fc.option(word), fc.boolean())
      .map(([h, path, tag, pin]) => `${h}${path.join('/')}${tag ? `:${tag}` : ''}${pin ? `@sha256:${'f'.repeat(64)}` : ''}`);
    const reference = fc.oneof(image, image.map((i) => `${i.replace(/[:@].*$/, '')}*`), fc.constant('*'));
    fc.assert(fc.property(reference, image, (r, i) => {
      const pattern = referencePattern(r);
      const normalised = formatImage(parseImage(i));
      expect(RE2JS.compile(pattern).matcher(normalised).matches()).toBe(new RegExp(pattern).test(normalised));
    }), { numRuns: 500 });
    // Overlap is sound: two references that both cover some image are reported as overlapping.
    fc.assert(fc.property(reference, reference, image, (a, b, i) => {
      if (referenceMatches(a, i) && referenceMatches(b, i)) expect(referencesOverlap(a, b)).toBe(true);
    }), { numRuns: 2000 });
  });

  it.each([
    ['docker.io/myrepo/*', 'docker.io/myrepo/app/*', true],
    ['docker.io/myrepo/*', 'docker.io/other/*', false],
    ['company.registry.com/*', 'company.registry.com/team/app', true],
    ['company.registry.com/team/app', 'company.registry.com/team/app:v1', true],
    ['company.registry.com/team/app', 'company.registry.com/team/application', false],
    ['company.registry.com/team/app:*', 'company.registry.com/team/app', true],
    ['*', 'x.io/y', true],
  ])('overlap of %s and %s: %s', (a, b, expected) => {
    expect(referencesOverlap(a, b)).toBe(expected);
    expect(referencesOverlap(b, a)).toBe(expected);
  });
});

describe('provider keys, revisions, config', () => {
  const policy = { name: 'verify-image-signatures', references: [{ reference: 'docker.io/myrepo/*', publicKeys: ['KEY'] }] };

  it('keys are <policy>[@<revision>]|<image>', () => {
    const key = providerKey(policy, 'myrepo/app:1');
    expect(key).toMatch(/^verify-image-signatures@[a-f0-9]{16}\|myrepo\/app:1$/);
    expect(parseProviderKey(key)).toEqual({ policy: 'verify-image-signatures', revision: policyRevision(policy), image: 'myrepo/app:1' });
    expect(parseProviderKey('p|nginx')).toEqual({ policy: 'p', image: 'nginx' });
    for (const bad of ['nginx', '|nginx', 'p|', 'P|nginx', 'p@zz|nginx']) expect(parseProviderKey(bad)).toBeNull();
  });

  it('the revision changes with keys, credentials and CA, not with key order in JSON', () => {
    const r = policyRevision(policy);
    expect(policyRevision({ ...policy, references: [{ ...policy.references[0], publicKeys: ['OTHER'] }] })).not.toBe(r);
    expect(policyRevision({ ...policy, references: [{ ...policy.references[0], dockerCfg: 'e30=' }] })).not.toBe(r);
    expect(policyRevision({ ...policy, references: [{ ...policy.references[0], ca: 'CA' }] })).not.toBe(r);
    expect(policyRevision({ references: policy.references, name: policy.name })).toBe(r);
  });

  it('parseConfig validates and never echoes values', () => {
    const ok = { apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: [policy] };
    expect(parseConfig(ok).policies[0].name).toBe('verify-image-signatures');
    expect(() => parseConfig({ ...ok, kind: 'X' })).toThrow(/kind/);
    expect(() => parseConfig({ ...ok, policies: [policy, policy] })).toThrow(/repeats/);
    const secret = 'c2VjcmV0LXZhbHVl';
    let msg = '';
    try {
      parseConfig({ ...ok, policies: [{ ...policy, references: [{ ...policy.references[0], dockerCfg: 42, ca: secret }] }] });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/dockerCfg/);
    expect(msg).not.toContain(secret);
  });
});

describe('dockerCfg and challenges', () => {
  it('reads auth, username/password and Docker Hub key spellings', () => {
    const cfg = {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw:with:colons').toString('base64') },
        'registry.example.com:5000': { username: 'u', password: 'p' },
        'https://other.example/v2/': { identitytoken: 'tok' },
      },
    };
    const m = parseDockerCfg(Buffer.from(JSON.stringify(cfg)).toString('base64'));
    expect(m.get('docker.io')).toEqual({ username: 'hub', password: 'pw:with:colons' });
    expect(m.get('registry.example.com:5000')).toEqual({ username: 'u', password: 'p' });
    expect(m.get('other.example')).toEqual({ username: '<token>', password: 'tok' });
    expect(() => parseDockerCfg('bm90IGpzb24=')).toThrow(/dockerconfigjson/);
  });

  it('parses Bearer challenges with quoted commas', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="x"').scheme).toBe('basic');
  });
});
