// `admission-policy-engine verify` as deployed: the built CLI as its own process, mutual TLS with a
// Gatekeeper-like client certificate, against crane's registry (images pushed by crane, signed by
// the real cosign in both formats), a credentials-requiring front for it, and a registry that is
// down. Tools: test/tools/build.sh cosign crane.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientCert, makePki, type Pki } from '../harness/certs.js';
import { freePort, startProcess, waitFor, type Managed } from '../harness/processes.js';
import { startAuthProxy, type AuthProxy } from '../helpers/auth-proxy.js';
import { builtCli } from '../helpers/cli.js';
import { makeKey, pushImage, sign, startCraneRegistry, type CosignKey, type CraneRegistry } from '../helpers/cosign.js';
import { CONFIG_API_VERSION, CONFIG_KIND, policyRevision, type PolicyConfig, type VerifierConfig } from '../../src/verify/config.js';

const REPO = 'test/app';
const PASSWORD = 'int3gration-s3cret';
let dir: string;
let pki: Pki;
let client: { cert: string; key: string };
let crane: CraneRegistry;
let proxy: AuthProxy;
let verify: Managed;
let port: number;
let healthPort: number;
let deadPort: number;
const keys: Record<string, CosignKey> = {};
const digests: Record<string, string> = {};
const policies: Record<string, PolicyConfig> = {};

function post(keys: string[], path = '/v1/verify'): Promise<{ status: number; doc: { response: { items: { key: string; value?: string; error?: string }[]; systemError?: string; idempotent: boolean } } }> {
  const body = JSON.stringify({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest', request: { keys } });
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path, method: 'POST', agent: false, minVersion: 'TLSv1.3',
      ca: readFileSync(pki.caCert), cert: readFileSync(client.cert), key: readFileSync(client.key),
      headers: { 'Content-Type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, doc: JSON.parse(text) as never });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const key = (policy: string, image: string) => `${policy}@${policyRevision(policies[policy])}|${image}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ape-verify-int-'));
  pki = makePki(dir);
  client = makeClientCert(pki, 'gatekeeper-webhook');
  crane = await startCraneRegistry(dir);
  proxy = await startAuthProxy(crane.host, { puller: PASSWORD });
  const [signer, other] = await Promise.all([makeKey(dir, 'signer'), makeKey(dir, 'other')]);
  Object.assign(keys, { signer, other });
  for (const tag of ['bundle', 'legacy', 'unsigned', 'other']) digests[tag] = await pushImage(dir, `${crane.host}/${REPO}:${tag}`, `integration ${tag}`);
  const at = (tag: string) => `${crane.host}/${REPO}@${digests[tag]}`;
  await sign(at('bundle'), signer, 'bundle');
  await sign(at('legacy'), signer, 'legacy');
  await sign(at('other'), other, 'bundle');
  await sign(at('other'), other, 'legacy');

  deadPort = await freePort();
  const dockerCfg = Buffer.from(JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(`puller:${PASSWORD}`).toString('base64') } } })).toString('base64');
  policies.open = { name: 'open', references: [{ reference: `${crane.host}/test/*`, publicKeys: [signer.publicKey] }] };
  policies.private = { name: 'private', references: [{ reference: `${proxy.host}/*`, publicKeys: [signer.publicKey], dockerCfg }] };
  policies['no-creds'] = { name: 'no-creds', references: [{ reference: `${proxy.host}/*`, publicKeys: [signer.publicKey] }] };
  policies.down = { name: 'down', references: [{ reference: `127.0.0.1:${deadPort}/*`, publicKeys: [signer.publicKey] }] };
  const config: VerifierConfig = {
    apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, policies: Object.values(policies),
    plainHttpRegistries: [crane.host, proxy.host, `127.0.0.1:${deadPort}`],
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));

  port = await freePort();
  healthPort = await freePort();
  verify = startProcess('verify', process.execPath, [builtCli(), 'verify', '--config', join(dir, 'config.json'),
    '--tls-cert', pki.servingCert, '--tls-key', pki.servingKey, '--client-ca', pki.caCert,
    '--addr', `127.0.0.1:${port}`, '--http-addr', `127.0.0.1:${healthPort}`, '--log-level', 'debug'], join(dir, 'verify.log'));
  await waitFor('verify /readyz', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, 60_000, [verify]);
}, 240_000);

afterAll(async () => {
  await verify?.stop();
  await proxy?.stop();
  await crane?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('verify process', () => {
  it('signed with the key, bundle and legacy format: verified, value pinned to the digest', async () => {
    const keys = [key('open', `${crane.host}/${REPO}:bundle`), key('open', `${crane.host}/${REPO}:legacy`)];
    const { status, doc } = await post(keys);
    expect(status).toBe(200);
    expect(doc.response.systemError).toBeUndefined();
    expect(doc.response.items).toEqual([
      { key: keys[0], value: `${crane.host}/${REPO}@${digests.bundle}` },
      { key: keys[1], value: `${crane.host}/${REPO}@${digests.legacy}` },
    ]);
  });

  it('unsigned, or signed with another key (both formats): item errors', async () => {
    const keys = [key('open', `${crane.host}/${REPO}:unsigned`), key('open', `${crane.host}/${REPO}:other`)];
    const { doc } = await post(keys);
    expect(doc.response.systemError).toBeUndefined();
    expect(doc.response.items).toEqual([
      { key: keys[0], error: `no cosign signature found for ${crane.host}/${REPO}@${digests.unsigned}` },
      { key: keys[1], error: expect.stringMatching(/^no signature of .* verifies with the policy's keys \(2 examined/) as string },
    ]);
  });

  it('a registry that needs credentials: verified with dockerCfg, refused without', async () => {
    const withCreds = key('private', `${proxy.host}/${REPO}:bundle`);
    const without = key('no-creds', `${proxy.host}/${REPO}:bundle`);
    const { doc } = await post([withCreds, without]);
    expect(doc.response.systemError).toBeUndefined();
    expect(doc.response.items).toEqual([
      { key: withCreds, value: `${proxy.host}/${REPO}@${digests.bundle}` },
      { key: without, error: `registry ${proxy.host} refused access to ${REPO} (credentials required; token service said 401)` },
    ]);
  });

  it('registry down: systemError (never cached by Gatekeeper), no item for the key', async () => {
    const down = key('down', `127.0.0.1:${deadPort}/${REPO}:bundle`);
    const ok = key('open', `${crane.host}/${REPO}:bundle`);
    const { status, doc } = await post([down, ok]);
    expect(status).toBe(200);
    expect(doc.response.items).toEqual([{ key: ok, value: `${crane.host}/${REPO}@${digests.bundle}` }]);
    expect(doc.response.systemError).toMatch(new RegExp(`registry unreachable: 127\\.0\\.0\\.1:${deadPort}: ECONNREFUSED`));
  });

  it('a stale revision is a systemError until the configuration catches up', async () => {
    const stale = `open@${'0'.repeat(16)}|${crane.host}/${REPO}:bundle`;
    const { doc } = await post([stale]);
    expect(doc.response.items).toEqual([]);
    expect(doc.response.systemError).toMatch(/configuration not propagated yet/);
  });

  it('mutation endpoint: a covered tag comes back pinned to its digest, the rest unchanged', async () => {
    const image = `${crane.host}/${REPO}:legacy`;
    const { status, doc } = await post([image, 'nginx:1.27'], '/v1/mutate');
    expect(status).toBe(200);
    expect(doc.response).toEqual({ idempotent: true, items: [{ key: image, value: `${image}@${digests.legacy}` }, { key: 'nginx:1.27', value: 'nginx:1.27' }] });
  });

  it('metrics count verifications, cache hits and failures; logs carry no credentials', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    expect(metrics).toMatch(/ape_verify_verifications_total\{result="verified",format="bundle"\} [1-9]/);
    expect(metrics).toMatch(/ape_verify_verifications_total\{result="verified",format="legacy"\} [1-9]/);
    expect(metrics).toMatch(/ape_verify_cache_total\{cache="verdict",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/ape_verify_failures_total\{reason="registry_unreachable"\} [1-9]/);
    expect(metrics).toMatch(/ape_verify_registry_request_duration_seconds_count\{op="manifest",status="200"\} [1-9]/);
    const log = readFileSync(join(dir, 'verify.log'), 'utf8');
    expect(log).toMatch(/verifier configuration loaded/);
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(Buffer.from(`puller:${PASSWORD}`).toString('base64'));
  });
});
