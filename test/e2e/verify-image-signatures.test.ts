// SecurityPolicy verifyImageSignatures end to end: the operator (with the RBAC the verifier wiring
// needs) generates the D8VerifyImageSignatures constraints, the verifier's configuration and serving
// certificate Secrets and Gatekeeper's Provider; the real built `admission-policy-engine verify`
// process serves them (this test plays the kubelet: it copies the Secrets into the files the
// verifier reads); Gatekeeper calls it over mutual TLS for real Pod and Deployment creations; images
// live in crane's registry on loopback, signed by the real cosign in both formats.
// Tools: test/tools/build.sh cosign crane (besides the control plane and Gatekeeper).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOperatorEnv, type OperatorEnv } from '../harness/operator-env.js';
import { GATEKEEPER_NAMESPACE } from '../harness/gatekeeper.js';
import { freePort, startProcess, waitFor, type Managed } from '../harness/processes.js';
import { startAuthProxy, type AuthProxy } from '../helpers/auth-proxy.js';
import { builtCli } from '../helpers/cli.js';
import { makeKey, pushImage, sign, startCraneRegistry, type CosignKey, type CraneRegistry } from '../helpers/cosign.js';
import { eventually, rawRequest, uniqueName, type RawResponse } from '../helpers/kube.js';
import { matchNames, policyApi, securityPolicy } from '../helpers/policies.js';
import type { Operator } from '../../src/cli/run.js';
import { policyRevision } from '../../src/api/image-reference.js';
import { IMAGE_VERIFIER_DEFAULTS, CONFIG_FILE_KEY } from '../../src/reconcile/image-verifier.js';
import { IMAGE_VERIFIER_PROVIDER } from '../../src/checks/verify-image-signatures.js';

/** The verifier runs beside Gatekeeper (it mounts Gatekeeper's CA); its Secrets live there. */
const NS = GATEKEEPER_NAMESPACE;
const PASSWORD = 'e2e-s3cret-pass';

let env: OperatorEnv;
let op: Operator;
let admin: KubeConfig;
let dir: string;
let crane: CraneRegistry;
let proxy: AuthProxy;
let verify: Managed | undefined;
let kubelet: NodeJS.Timeout | undefined;
let verifyPort: number;
let healthPort: number;
let deadPort: number;
const keys: Record<string, CosignKey> = {};
const ns: Record<string, string> = {};

const custom = () => admin.makeApiClient(CustomObjectsApi);
const policies = policyApi(custom);
const image = (tag: string) => `${crane.host}/e2e/app:${tag}`;

function message(r: RawResponse): string {
  try {
    return r.json<{ message?: string }>().message ?? r.body;
  } catch {
    return r.body;
  }
}

async function namespace(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  const r = await rawRequest(admin, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (r.status !== 201) throw new Error(`create ns ${name}: ${r.status} ${r.body}`);
  return name;
}

const podBody = (namespace: string, images: string[]) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: uniqueName('pod'), namespace },
  spec: { containers: images.map((img, i) => ({ name: `c${i}`, image: img })) },
});
const createPod = (namespace: string, images: string[]) => rawRequest(admin, 'POST', `/api/v1/namespaces/${namespace}/pods`, podBody(namespace, images));

async function withLogs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    let verifyLog = '';
    try {
      verifyLog = readFileSync(join(dir, 'verify.log'), 'utf8').split('\n').slice(-40).join('\n');
    } catch { /* not started */ }
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- gatekeeper ---\n${env.gk.logTail(40)}\n--- verify ---\n${verifyLog}`, { cause: err });
  }
}

/** The kubelet's part: the two Secrets as the files the verifier reads (polled, written on change). */
async function copySecrets(): Promise<boolean> {
  const read = async (name: string) => {
    const r = await rawRequest(admin, 'GET', `/api/v1/namespaces/${NS}/secrets/${name}`);
    return r.status === 200 ? r.json<{ data?: Record<string, string> }>().data ?? {} : undefined;
  };
  const [config, tls] = await Promise.all([read(IMAGE_VERIFIER_DEFAULTS.configSecret), read(IMAGE_VERIFIER_DEFAULTS.tlsSecret)]);
  if (!config?.[CONFIG_FILE_KEY] || !tls?.['tls.crt'] || !tls['tls.key']) return false;
  const write = (file: string, b64: string) => {
    const text = Buffer.from(b64, 'base64').toString('utf8');
    let old = '';
    try {
      old = readFileSync(join(dir, file), 'utf8');
    } catch { /* first time */ }
    if (old !== text) writeFileSync(join(dir, file), text);
  };
  write('tls.key', tls['tls.key']);
  write('tls.crt', tls['tls.crt']);
  write('config.json', config[CONFIG_FILE_KEY]);
  return true;
}

async function loadedRevisions(): Promise<Record<string, string>> {
  const r = await fetch(`http://127.0.0.1:${healthPort}/revisions`);
  return r.status === 200 ? (await r.json()) as Record<string, string> : {};
}

async function providerRequests(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('ape_verify_provider_requests_total')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** The policy is Ready with its D8VerifyImageSignatures constraint enforced, and the verifier has its revision. */
type Reference = { reference: string; publicKeys: string[]; dockerCfg?: string };

async function verifying(name: string, references: Reference[], namespace: string): Promise<void> {
  await policies.create(securityPolicy(name, { allowPrivileged: true, allowPrivilegeEscalation: true, verifyImageSignatures: references }, matchNames(namespace)));
  await live(name, references);
}

async function live(name: string, references: Reference[]): Promise<void> {
  await eventually(`${name} Ready`, async () => {
    const got = await policies.get('SecurityPolicy', name);
    const ready = (got.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready');
    return ready?.status === 'True' ? got : undefined;
  }, 60_000, 500);
  await eventually(`D8VerifyImageSignatures/${name} enforced`, async () => {
    const c = await custom().getClusterCustomObject({ group: 'constraints.gatekeeper.sh', version: 'v1beta1', plural: 'd8verifyimagesignatures', name }).catch(() => undefined) as { status?: { byPod?: { enforced?: boolean }[] } } | undefined;
    return c?.status?.byPod?.some((p) => p.enforced) ?? false;
  }, 60_000, 500);
  const revision = policyRevision({ name, references: references.map((r) => ({ ...r })) });
  await eventually(`verifier loaded ${name}@${revision}`, async () => (await loadedRevisions())[name] === revision, 60_000, 300);
}

async function expectAdmitted(namespace: string, images: string[]): Promise<void> {
  const r = await createPod(namespace, images);
  if (r.status !== 201) throw new Error(`expected ${images.join(', ')} admitted, got ${r.status}: ${message(r)}`);
}

async function expectDenied(namespace: string, images: string[], expected: string[]): Promise<string> {
  const r = await createPod(namespace, images);
  const m = message(r);
  if (r.status !== 403 || !expected.every((e) => m.includes(e))) throw new Error(`expected a denial containing ${JSON.stringify(expected)}, got ${r.status}: ${m}`);
  return m;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ape-e2e-verify-'));
  mkdirSync(dir, { recursive: true });
  env = await startOperatorEnv();
  admin = env.cp.kubeConfig;

  crane = await startCraneRegistry(dir);
  proxy = await startAuthProxy(crane.host, { puller: PASSWORD });
  const [signer, other] = await Promise.all([makeKey(dir, 'signer'), makeKey(dir, 'other')]);
  Object.assign(keys, { signer, other });
  const digests: Record<string, string> = {};
  for (const tag of ['bundle', 'legacy', 'unsigned', 'other']) digests[tag] = await pushImage(dir, image(tag), `e2e ${tag}`);
  const at = (tag: string) => `${crane.host}/e2e/app@${digests[tag]}`;
  await sign(at('bundle'), signer, 'bundle');
  await sign(at('legacy'), signer, 'legacy');
  await sign(at('other'), other, 'bundle');

  [verifyPort, healthPort, deadPort] = [await freePort(), await freePort(), await freePort()];
  op = await env.startOperator('op-1', {
    imageVerifier: {
      namespace: NS, url: `https://127.0.0.1:${verifyPort}/v1/verify`,
      plainHttpRegistries: [crane.host, proxy.host, `127.0.0.1:${deadPort}`],
    },
  });
  // Our template created by Gatekeeper (not waitConverged: a failure elsewhere in the plan, e.g. a
  // routing object, must not hide what this test proves; every test waits for what it needs).
  await withLogs(() => eventually('D8VerifyImageSignatures template created', async () => {
    const t = await custom().getClusterCustomObject({ group: 'templates.gatekeeper.sh', version: 'v1', plural: 'constrainttemplates', name: 'd8verifyimagesignatures' })
      .catch(() => undefined) as { status?: { created?: boolean } } | undefined;
    return t?.status?.created === true;
  }, 120_000, 500));
  void op;
  for (const k of ['signed', 'private', 'nocreds', 'down']) ns[k] = await namespace(`verify-${k}`);
}, 300_000);

afterAll(async () => {
  if (kubelet) clearInterval(kubelet);
  await verify?.stop();
  await proxy?.stop();
  await crane?.stop();
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('verifyImageSignatures end to end', () => {
  test('the wiring appears with the first verifying policy and the verifier serves it over mTLS', () => withLogs(async () => {
    await policies.create(securityPolicy('sigs', {
      allowPrivileged: true, allowPrivilegeEscalation: true,
      verifyImageSignatures: [{ reference: `${crane.host}/e2e/*`, publicKeys: [keys.signer.publicKey] }],
    }, matchNames(ns.signed)));
    await eventually('verifier Secrets', copySecrets, 60_000, 300);
    kubelet = setInterval(() => { copySecrets().catch(() => undefined); }, 500);
    const provider = await custom().getClusterCustomObject({ group: 'externaldata.gatekeeper.sh', version: 'v1beta1', plural: 'providers', name: IMAGE_VERIFIER_PROVIDER }) as { spec: { url: string; timeout: number; caBundle: string } };
    expect(provider.spec.url).toBe(`https://127.0.0.1:${verifyPort}/v1/verify`);
    expect(provider.spec.timeout).toBe(2);
    expect(Buffer.from(provider.spec.caBundle, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    verify = startProcess('verify', process.execPath, [builtCli(), 'verify', '--config', join(dir, 'config.json'),
      '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--client-ca', env.cp.pki.caCert,
      '--addr', `127.0.0.1:${verifyPort}`, '--http-addr', `127.0.0.1:${healthPort}`, '--reload-interval', '300', '--log-level', 'debug'], join(dir, 'verify.log'));
    await waitFor('verify /readyz', async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status === 200, 60_000, [verify]);
    // Never in status or events: the policy's status names no key material.
    const got = await policies.get('SecurityPolicy', 'sigs');
    expect(JSON.stringify(got.status)).not.toContain('BEGIN PUBLIC KEY');
  }), 180_000);

  test('signed with the key (bundle and legacy formats): admitted', () => withLogs(async () => {
    await live('sigs', [{ reference: `${crane.host}/e2e/*`, publicKeys: [keys.signer.publicKey] }]);
    await eventually('signed pod admitted', async () => (await createPod(ns.signed, [image('bundle')])).status === 201, 60_000, 1000);
    await expectAdmitted(ns.signed, [image('legacy')]);
    await expectAdmitted(ns.signed, [image('bundle'), image('legacy')]);
  }), 120_000);

  test('unsigned: denied with the seed\'s message; signed with another key: denied', () => withLogs(async () => {
    await expectDenied(ns.signed, [image('unsigned')], [`[sigs] Image signature verification failed: ${image('unsigned')}`]);
    await expectDenied(ns.signed, [image('other')], [`[sigs] Image signature verification failed: ${image('other')}`]);
  }), 60_000);

  test('a Deployment with a bad image is denied as well', () => withLogs(async () => {
    const name = uniqueName('web');
    const r = await rawRequest(admin, 'POST', `/apis/apps/v1/namespaces/${ns.signed}/deployments`, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns.signed },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: image('unsigned') }] } } },
    });
    expect(r.status).toBe(403);
    expect(message(r)).toContain(`[sigs] Image signature verification failed: ${image('unsigned')}`);
  }), 60_000);

  test('an image outside every reference is admitted without calling the verifier (nor the registry)', () => withLogs(async () => {
    const before = await providerRequests();
    await expectAdmitted(ns.signed, ['example.com/outside/app:1', `${crane.host}/elsewhere/app:1`]);
    expect(await providerRequests()).toBe(before);
  }), 60_000);

  test('a registry that needs credentials: works with dockerCfg, fails closed without', () => withLogs(async () => {
    const dockerCfg = Buffer.from(JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(`puller:${PASSWORD}`).toString('base64') } } })).toString('base64');
    await verifying('private', [{ reference: `${proxy.host}/e2e/*`, publicKeys: [keys.signer.publicKey], dockerCfg }], ns.private);
    // Identical references in two policies are allowed (reference §7): only intersecting ones are not.
    await verifying('nocreds', [{ reference: `${proxy.host}/e2e/*`, publicKeys: [keys.signer.publicKey] }], ns.nocreds);
    await expectAdmitted(ns.private, [`${proxy.host}/e2e/app:bundle`]);
    await expectDenied(ns.nocreds, [`${proxy.host}/e2e/app:bundle`], [`[nocreds] Image signature verification failed: ${proxy.host}/e2e/app:bundle`]);
    // The credential is nowhere in the verifier's log.
    expect(readFileSync(join(dir, 'verify.log'), 'utf8')).not.toContain(PASSWORD);
  }), 180_000);

  test('registry down: denied with a clear system error, never admitted', () => withLogs(async () => {
    await verifying('down', [{ reference: `127.0.0.1:${deadPort}/*`, publicKeys: [keys.signer.publicKey] }], ns.down);
    const m = await expectDenied(ns.down, [`127.0.0.1:${deadPort}/e2e/app:1`], [`[down] Image signature verification failed: 127.0.0.1:${deadPort}/e2e/app:1`, 'system error calling external data provider']);
    expect(m).toContain(`127.0.0.1:${deadPort}`);
    // Not cached: the next try asks again and is denied again.
    await expectDenied(ns.down, [`127.0.0.1:${deadPort}/e2e/app:1`], ['system error calling external data provider']);
  }), 180_000);

  test('a policy whose references intersect another policy\'s is invalid, naming the reference', () => withLogs(async () => {
    await policies.create(securityPolicy('overlapping', { verifyImageSignatures: [{ reference: `${crane.host}/e2e/app*`, publicKeys: [keys.signer.publicKey] }] }, matchNames(ns.signed)));
    const got = await eventually('overlapping invalid', async () => {
      const p = await policies.get('SecurityPolicy', 'overlapping');
      const ready = (p.status?.conditions as { type: string; status: string; message?: string }[] | undefined)?.find((c) => c.type === 'Ready');
      return ready?.status === 'False' ? ready : undefined;
    }, 60_000, 500);
    expect(got.message).toContain(`ImageReference "${crane.host}/e2e/app*" has intersection in the SecurityPolicy "sigs"`);
  }), 120_000);

  test('when no policy verifies signatures any more, the Provider and both Secrets are removed', () => withLogs(async () => {
    for (const name of ['sigs', 'private', 'nocreds', 'down', 'overlapping']) await policies.delete('SecurityPolicy', name);
    await eventually('Provider removed', async () => {
      const p: unknown = await custom().getClusterCustomObject({ group: 'externaldata.gatekeeper.sh', version: 'v1beta1', plural: 'providers', name: IMAGE_VERIFIER_PROVIDER }).catch(() => undefined);
      return p === undefined;
    }, 60_000, 500);
    for (const name of [IMAGE_VERIFIER_DEFAULTS.configSecret, IMAGE_VERIFIER_DEFAULTS.tlsSecret]) {
      expect((await rawRequest(admin, 'GET', `/api/v1/namespaces/${NS}/secrets/${name}`)).status).toBe(404);
    }
  }), 120_000);
});
