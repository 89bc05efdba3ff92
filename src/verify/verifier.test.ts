// Both verification paths against vectors made by the real cosign (3.1.x; legacy format with
// --new-bundle-format=false) in crane's registry, imported into a TypeScript fake registry that adds
// the referrers API and the auth flows (Bearer token, Basic). Tools: test/tools/build.sh cosign crane.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosignVerifies, makeKey, pushImage, sign, signViaBlob, startCraneRegistry, type CosignKey, type CraneRegistry } from '../../test/helpers/cosign.js';
import { FakeRegistry, type FakeRegistryOptions } from '../../test/helpers/fake-registry.js';
import { CONFIG_API_VERSION, CONFIG_KIND, policyRevision, type PolicyConfig, type ReferenceConfig } from './config.js';
import { parsePublicKey } from './keys.js';
import { VerifyMetrics } from './metrics.js';
import { checkBundle, checkSimpleSigning } from './signatures.js';
import { Verifier, type ProviderResponse, type VerifierOptions } from './verifier.js';
import { closeIdleConnections } from './http.js';

const REPO = 'test/app';
let dir: string;
let crane: CraneRegistry;
const keys: Record<string, CosignKey> = {};
const digests: Record<string, string> = {};
const fakes: FakeRegistry[] = [];

// image tag -> [key, formats]
const SIGNED: Record<string, [string, ('bundle' | 'legacy')[]]> = {
  bundle: ['signer', ['bundle']],
  legacy: ['signer', ['legacy']],
  other: ['other', ['bundle', 'legacy']],
  'rsa-bundle': ['rsa', ['bundle']],
  'rsa-legacy': ['rsa', ['legacy']],
  // cosign sign 3.1 signs with Ed25519ph, which cosign verify --key refuses (and so do we);
  // ed-legacy is made with generate + sign-blob + attach (pure Ed25519), which cosign verifies.
  'ed-bundle': ['ed', ['bundle']],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ape-verify-unit-'));
  crane = await startCraneRegistry(dir);
  const [signer, other, rsa, ed] = await Promise.all([
    makeKey(dir, 'signer'), makeKey(dir, 'other'), makeKey(dir, 'rsa', 'rsa'), makeKey(dir, 'ed', 'ed25519'),
  ]);
  Object.assign(keys, { signer, other, rsa, ed });
  for (const tag of [...Object.keys(SIGNED), 'unsigned']) {
    digests[tag] = await pushImage(dir, `${crane.host}/${REPO}:${tag}`, `image ${tag}`);
  }
  digests['ed-legacy'] = await pushImage(dir, `${crane.host}/${REPO}:ed-legacy`, 'image ed-legacy');
  for (const [tag, [key, formats]] of Object.entries(SIGNED)) {
    for (const f of formats) await sign(`${crane.host}/${REPO}@${digests[tag]}`, keys[key], f);
  }
  await signViaBlob(dir, `${crane.host}/${REPO}@${digests['ed-legacy']}`, keys.ed);
}, 180_000);

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.stop()));
  await crane?.stop();
  closeIdleConnections();
  rmSync(dir, { recursive: true, force: true });
});

async function fake(o: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const f = new FakeRegistry(o);
  await f.importFrom(`http://${crane.host}`, [REPO]);
  await f.start();
  fakes.push(f);
  return f;
}

function verifier(f: FakeRegistry, refs: Partial<ReferenceConfig> & { publicKeys: string[] }, o: VerifierOptions = {}): { v: Verifier; policy: PolicyConfig; key: (tag: string) => string } {
  const v = new Verifier({ budgetMs: 5000, ...o });
  const policy: PolicyConfig = { name: 'sigs', references: [{ reference: `${f.host}/test/*`, ...refs }] };
  v.load({ apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: [policy], plainHttpRegistries: f.o.tls ? [] : [f.host] });
  return { v, policy, key: (tag) => `sigs@${policyRevision(policy)}|${f.host}/${REPO}:${tag}` };
}

function only(r: ProviderResponse) {
  expect(r.response.items.length + (r.response.systemError ? 1 : 0)).toBeGreaterThan(0);
  return { item: r.response.items[0], systemError: r.response.systemError };
}

describe('vectors made by cosign', () => {
  it('cosign itself verifies the signed vectors and refuses the others (reference answers)', async () => {
    const pub = join(dir, 'signer.pub');
    expect(await cosignVerifies(`${crane.host}/${REPO}@${digests.bundle}`, pub)).toBe(true);
    expect(await cosignVerifies(`${crane.host}/${REPO}@${digests.unsigned}`, pub)).toBe(false);
    expect(await cosignVerifies(`${crane.host}/${REPO}@${digests.other}`, pub)).toBe(false);
    const ed = join(dir, 'ed.pub');
    expect(await cosignVerifies(`${crane.host}/${REPO}@${digests['ed-legacy']}`, ed)).toBe(true);
    expect(await cosignVerifies(`${crane.host}/${REPO}@${digests['ed-bundle']}`, ed)).toBe(false);
  }, 60_000);

  it('bundle and simple-signing payloads check with the signing key only, and only for their digest', async () => {
    const base = `http://${crane.host}/v2/${REPO}`;
    const index = await (await fetch(`${base}/manifests/${digests.bundle.replace(':', '-')}`, { headers: { Accept: 'application/vnd.oci.image.index.v1+json' } })).json() as { manifests: { digest: string }[] };
    const referrer = await (await fetch(`${base}/manifests/${index.manifests[0].digest}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).json() as { layers: { digest: string }[] };
    const bundle = Buffer.from(await (await fetch(`${base}/blobs/${referrer.layers[0].digest}`)).arrayBuffer());
    const signer = [parsePublicKey(keys.signer.publicKey, 0)];
    const other = [parsePublicKey(keys.other.publicKey, 0)];
    expect(checkBundle(bundle, digests.bundle, signer)).toEqual({ keyIndex: 0 });
    expect(checkBundle(bundle, digests.bundle, other)).toEqual({ note: 'signature does not verify with any key of the policy' });
    expect(checkBundle(bundle, digests.unsigned, signer)).toEqual({ note: 'signed statement names another digest' });
    // Tampered statement: same signature, another subject digest.
    const doc = JSON.parse(bundle.toString()) as { dsseEnvelope: { payload: string } };
    const stmt = JSON.parse(Buffer.from(doc.dsseEnvelope.payload, 'base64').toString()) as { subject: { digest: { sha256: string } }[] };
    stmt.subject[0].digest.sha256 = digests.unsigned.slice(7);
    doc.dsseEnvelope.payload = Buffer.from(JSON.stringify(stmt)).toString('base64');
    expect(checkBundle(Buffer.from(JSON.stringify(doc)), digests.unsigned, signer)).toEqual({ note: 'signature does not verify with any key of the policy' });

    const sig = await (await fetch(`${base}/manifests/${digests.legacy.replace(':', '-')}.sig`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).json() as { layers: { digest: string; annotations: Record<string, string> }[] };
    const layer = sig.layers[0];
    const payload = Buffer.from(await (await fetch(`${base}/blobs/${layer.digest}`)).arrayBuffer());
    const s = layer.annotations['dev.cosignproject.cosign/signature'];
    expect(checkSimpleSigning(payload, s, digests.legacy, signer)).toEqual({ keyIndex: 0 });
    expect(checkSimpleSigning(payload, s, digests.legacy, [...other, parsePublicKey(keys.signer.publicKey, 1)])).toEqual({ keyIndex: 1 });
    expect(checkSimpleSigning(payload, s, digests.unsigned, signer)).toEqual({ note: 'signed payload names another digest' });
    const forged = Buffer.from(payload.toString().replace(digests.legacy, digests.legacy));
    forged[forged.length - 2] = 0x20;
    expect(checkSimpleSigning(forged, s, digests.legacy, signer)).not.toHaveProperty('keyIndex');
  }, 30_000);
});

const REGISTRIES: [string, FakeRegistryOptions][] = [
  ['fallback tag, anonymous', { referrers: false }],
  ['referrers API, bearer token', { referrers: true, auth: 'bearer', anonymousPull: true }],
];

describe.each(REGISTRIES)('verifier over a registry with %s', (_name, options) => {
  let f: FakeRegistry;
  beforeAll(async () => {
    f = await fake(options);
    if (options.referrers) {
      // Only the referrers API may find the bundles: drop the fallback tags.
      for (const d of Object.values(digests)) f.deleteTag(REPO, d.replace(':', '-'));
    }
  });

  it.each([
    ['bundle', 'signer', 'bundle'],
    ['legacy', 'signer', 'legacy'],
    ['rsa-bundle', 'rsa', 'bundle'],
    ['rsa-legacy', 'rsa', 'legacy'],
    ['ed-legacy', 'ed', 'legacy'],
  ])('%s: verified with the %s key', async (tag, key, format) => {
    const metrics = new VerifyMetrics();
    const { v, key: k } = verifier(f, { publicKeys: [keys.other.publicKey, keys[key].publicKey] }, { metrics });
    f.log.length = 0;
    const r = await v.answer([k(tag)]);
    expect(r.response.systemError).toBeUndefined();
    expect(r.response.items).toEqual([{ key: k(tag), value: `${f.host}/${REPO}@${digests[tag]}` }]);
    expect(r.response.idempotent).toBe(true);
    // Bundles come from the referrers API when there is one, else from the fallback tag.
    if (format === 'bundle') expect(f.log.some((l) => /\/manifests\/sha256-[a-f0-9]{64}$/.test(l.path))).toBe(options.referrers !== true);
    expect((await metrics.verifications.get()).values).toEqual([expect.objectContaining({ value: 1, labels: { result: 'verified', format } })]);
  });

  it('unsigned: item error, no system error', async () => {
    const { v, key } = verifier(f, { publicKeys: [keys.signer.publicKey] });
    const { item, systemError } = only(await v.answer([key('unsigned')]));
    expect(systemError).toBeUndefined();
    expect(item).toEqual({ key: key('unsigned'), error: `no cosign signature found for ${f.host}/${REPO}@${digests.unsigned}` });
  });

  it('Ed25519ph image signature from cosign sign: refused, as cosign verify refuses it', async () => {
    const { v, key } = verifier(f, { publicKeys: [keys.ed.publicKey] });
    expect(only(await v.answer([key('ed-bundle')])).item?.error).toMatch(/verifies with the policy's keys \(1 examined: bundle: signature does not verify/);
  });

  it('signed with another key (both formats): item error', async () => {
    const { v, key } = verifier(f, { publicKeys: [keys.signer.publicKey, keys.rsa.publicKey] });
    const { item } = only(await v.answer([key('other')]));
    expect(item?.error).toMatch(/^no signature of .* verifies with the policy's keys \(2 examined/);
  });
});

describe('verifier behaviour', () => {
  let f: FakeRegistry;
  beforeAll(async () => {
    f = await fake({ referrers: true });
  });

  it('caches verdicts per (policy revision, digest) and coalesces identical lookups', async () => {
    const metrics = new VerifyMetrics();
    const { v, key } = verifier(f, { publicKeys: [keys.signer.publicKey] }, { metrics });
    f.log.length = 0;
    const [a, b] = await Promise.all([v.answer([key('bundle'), key('legacy')]), v.answer([key('bundle')])]);
    expect(a.response.items.map((i) => i.value)).toEqual([`${f.host}/${REPO}@${digests.bundle}`, `${f.host}/${REPO}@${digests.legacy}`]);
    expect(b.response.items[0].value).toBe(a.response.items[0].value);
    const manifestGets = f.log.filter((l) => l.method === 'HEAD' && l.path.endsWith('/manifests/bundle')).length;
    expect(manifestGets).toBe(1);
    const before = f.log.length;
    const c = await v.answer([key('bundle'), key('legacy')]);
    expect(c.response.items).toEqual(a.response.items);
    expect(f.log.length).toBe(before);
    const cache = (await metrics.cache.get()).values;
    expect(cache).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { cache: 'verdict', result: 'hit' }, value: 2 })]));
  });

  it('registry requests in flight stay within the concurrency bound', async () => {
    const { v, key } = verifier(f, { publicKeys: [keys.signer.publicKey] }, { concurrency: 2 });
    f.delayMs = 20;
    f.maxActive = 0;
    try {
      const tags = ['bundle', 'legacy', 'rsa-bundle', 'rsa-legacy', 'unsigned', 'other', 'ed-legacy'];
      const r = await v.answer(tags.map(key));
      expect(r.response.systemError).toBeUndefined();
      expect(r.response.items).toHaveLength(tags.length);
      expect(f.maxActive).toBe(2);
    } finally {
      f.delayMs = 0;
    }
  });

  it('a digest-pinned image needs no tag resolution', async () => {
    const { v, policy } = verifier(f, { publicKeys: [keys.signer.publicKey] });
    f.log.length = 0;
    const key = `sigs@${policyRevision(policy)}|${f.host}/${REPO}@${digests.bundle}`;
    expect((await v.answer([key])).response.items[0].value).toBe(`${f.host}/${REPO}@${digests.bundle}`);
    expect(f.log.some((l) => l.path.endsWith('/manifests/bundle'))).toBe(false);
  });

  it('registry errors are transient: systemError, and no item for Gatekeeper to cache', async () => {
    const g = await fake({ referrers: true });
    const { v, key } = verifier(g, { publicKeys: [keys.signer.publicKey] });
    g.fail = (_m, path) => (path.includes('/referrers/') || path.includes('.sig') ? 503 : undefined);
    let r = await v.answer([key('bundle')]);
    expect(r.response.items).toEqual([]);
    expect(r.response.systemError).toMatch(/answered 503/);
    g.fail = undefined;
    r = await v.answer([key('bundle')]);
    expect(r.response.items[0].value).toBeDefined();
    await g.stop();
    const { v: v2, key: key2 } = verifier(g, { publicKeys: [keys.signer.publicKey] });
    r = await v2.answer([key2('bundle'), 'malformed']);
    expect(r.response.systemError).toMatch(/registry unreachable: 127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect(r.response.items).toEqual([{ key: 'malformed', error: 'malformed key: expected <policy>[@<revision>]|<image>' }]);
    fakes.splice(fakes.indexOf(g), 1);
  });

  it('answers within the time budget; the lookup finishes in the background and fills the cache', async () => {
    const { v, key } = verifier(f, { publicKeys: [keys.signer.publicKey] }, { budgetMs: 150 });
    f.delayMs = 100;
    try {
      const t0 = Date.now();
      const r = await v.answer([key('legacy')]);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(r.response.items).toEqual([]);
      expect(r.response.systemError).toMatch(/did not finish within 150 ms/);
      await new Promise((res) => setTimeout(res, 1500));
      f.delayMs = 0;
      const again = await v.answer([key('legacy')]);
      expect(again.response.items[0].value).toBe(`${f.host}/${REPO}@${digests.legacy}`);
    } finally {
      f.delayMs = 0;
    }
  });

  it('unknown policy or revision: systemError (configuration not propagated); no reference: item error', async () => {
    const { v, policy } = verifier(f, { publicKeys: [keys.signer.publicKey] });
    const r = await v.answer([`nope|${f.host}/${REPO}:bundle`, `sigs@${'0'.repeat(16)}|${f.host}/${REPO}:bundle`, `sigs@${policyRevision(policy)}|other.example/x:1`]);
    expect(r.response.systemError).toMatch(/policy nope is not in the verifier configuration/);
    expect(r.response.systemError).toMatch(/configuration not propagated yet/);
    expect(r.response.items).toEqual([{ key: `sigs@${policyRevision(policy)}|other.example/x:1`, error: 'image matches no reference of policy sigs' }]);
  });

  it('mutation: pins covered tags to their digest, leaves digests and uncovered images alone without registry calls', async () => {
    const metrics = new VerifyMetrics();
    const { v } = verifier(f, { publicKeys: [keys.signer.publicKey] }, { metrics });
    f.log.length = 0;
    const pinned = `${f.host}/${REPO}@${digests.bundle}`;
    const r = await v.mutate([`${f.host}/${REPO}:bundle`, pinned, 'nginx:1.27', 'not an image', `${f.host}/${REPO}:missing`]);
    expect(r.response.systemError).toBeUndefined();
    expect(r.response.idempotent).toBe(true);
    expect(r.response.items).toEqual([
      { key: `${f.host}/${REPO}:bundle`, value: `${f.host}/${REPO}:bundle@${digests.bundle}` },
      { key: pinned, value: pinned },
      { key: 'nginx:1.27', value: 'nginx:1.27' },
      { key: 'not an image', value: 'not an image' },
      { key: `${f.host}/${REPO}:missing`, error: `image ${f.host}/${REPO}:missing not found` },
    ]);
    expect(f.log.map((l) => `${l.method} ${l.path}`)).toEqual([`HEAD /v2/${REPO}/manifests/bundle`, `HEAD /v2/${REPO}/manifests/missing`]);
    // The pinned image then verifies without resolving the tag again.
    const { key } = verifier(f, { publicKeys: [keys.signer.publicKey] });
    const k = key('bundle').replace(`:bundle`, `:bundle@${digests.bundle}`);
    expect((await v.answer([k])).response.items).toEqual([{ key: k, value: pinned }]);
    expect((await metrics.mutations.get()).values).toEqual(expect.arrayContaining([expect.objectContaining({ labels: { result: 'verified', format: 'pinned' }, value: 1 })]));
  });

  it('a policy with an unusable key fails closed alone', async () => {
    const v = new Verifier();
    const good: PolicyConfig = { name: 'good', references: [{ reference: `${f.host}/*`, publicKeys: [keys.signer.publicKey] }] };
    const bad: PolicyConfig = { name: 'bad', references: [{ reference: `${f.host}/*`, publicKeys: ['not a key'] }] };
    v.load({ apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: [good, bad], plainHttpRegistries: [f.host] });
    const r = await v.answer([`good|${f.host}/${REPO}:bundle`, `bad|${f.host}/${REPO}:bundle`]);
    expect(r.response.items).toEqual([
      { key: `good|${f.host}/${REPO}:bundle`, value: `${f.host}/${REPO}@${digests.bundle}` },
      { key: `bad|${f.host}/${REPO}:bundle`, error: 'policy bad has an unusable configuration: publicKeys[0] is not a PEM public key' },
    ]);
  });
});

describe('registry credentials and CA', () => {
  const cfg = (user: string, password: string, host: string) =>
    Buffer.from(JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } } })).toString('base64');

  it.each(['bearer', 'basic'] as const)('%s auth: works with dockerCfg, fails closed without or with wrong credentials', async (auth) => {
    const f = await fake({ referrers: auth === 'bearer', auth, users: { puller: 's3cret-pw' } });
    const good = verifier(f, { publicKeys: [keys.signer.publicKey], dockerCfg: cfg('puller', 's3cret-pw', f.host) });
    let r = await good.v.answer([good.key('bundle')]);
    expect(r.response.items[0].value).toBe(`${f.host}/${REPO}@${digests.bundle}`);
    expect(f.log.some((l) => l.auth === (auth === 'bearer' ? 'Bearer' : 'Basic'))).toBe(true);

    const anon = verifier(f, { publicKeys: [keys.signer.publicKey] });
    r = await anon.v.answer([anon.key('bundle')]);
    expect(r.response.systemError).toBeUndefined();
    expect(r.response.items[0].error).toMatch(/refused .*credentials required/);

    const wrong = verifier(f, { publicKeys: [keys.signer.publicKey], dockerCfg: cfg('puller', 'wrong-pw', f.host) });
    r = await wrong.v.answer([wrong.key('bundle')]);
    expect(r.response.items[0].error).toMatch(/credentials not accepted/);
    expect(JSON.stringify(r)).not.toMatch(/s3cret|wrong-pw/);
  });

  it('blob redirects to another host are followed without the registry credentials', async () => {
    const f = await fake({ referrers: true, auth: 'bearer', users: { puller: 'pw' }, blobRedirect: true });
    const good = verifier(f, { publicKeys: [keys.signer.publicKey], dockerCfg: cfg('puller', 'pw', f.host) });
    const r = await good.v.answer([good.key('bundle'), good.key('legacy')]);
    expect(r.response.items.map((i) => i.value)).toEqual([`${f.host}/${REPO}@${digests.bundle}`, `${f.host}/${REPO}@${digests.legacy}`]);
    const storage = f.log.filter((l) => l.path.startsWith('/_storage/'));
    expect(storage.length).toBeGreaterThan(0);
    expect(storage.every((l) => l.auth === '')).toBe(true);
    expect(f.log.filter((l) => l.path.includes('/blobs/')).every((l) => l.auth === 'Bearer')).toBe(true);
  });

  it('a TLS registry with a private CA: verified with the policy ca, transient failure without', async () => {
    const pki = mkdtempSync(join(dir, 'pki-'));
    const ossl = (args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ossl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=registry-ca']);
    writeFileSync(join(pki, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
    ossl(['req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=registry']);
    ossl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'srv.crt', '-extfile', 'ext']);
    const f = await fake({ referrers: true, auth: 'bearer', users: { u: 'p' }, tls: { cert: readFileSync(join(pki, 'srv.crt')), key: readFileSync(join(pki, 'srv.key')) } });
    const dockerCfg = cfg('u', 'p', f.host);
    const withCa = verifier(f, { publicKeys: [keys.signer.publicKey], dockerCfg, ca: readFileSync(join(pki, 'ca.crt'), 'utf8') });
    expect((await withCa.v.answer([withCa.key('bundle')])).response.items[0].value).toBe(`${f.host}/${REPO}@${digests.bundle}`);
    const without = verifier(f, { publicKeys: [keys.signer.publicKey], dockerCfg });
    const r = await without.v.answer([without.key('bundle')]);
    expect(r.response.items).toEqual([]);
    expect(r.response.systemError).toMatch(/registry unreachable: .*(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER)/);
  });
});
