// Verification latency of the `verify` provider, through its mTLS endpoint as Gatekeeper calls it,
// against crane's registry on loopback with cosign-signed images (half bundle, half legacy):
// cold (empty caches: every registry round trip), warm (verdict cache), and a Pod of 10 images
// (one request, 10 keys) cold and warm. Part of `npm run bench` (main.ts); alone:
//   npx tsc -p tsconfig.json && node dist/test/bench/verify.js
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeClientCert, makePki } from '../harness/certs.js';
import { makeKey, pushImage, sign, startCraneRegistry } from '../helpers/cosign.js';
import { CONFIG_API_VERSION, CONFIG_KIND, providerKey, type PolicyConfig } from '../../src/verify/config.js';
import { VerifyMetrics } from '../../src/verify/metrics.js';
import { startVerifyServer } from '../../src/verify/server.js';
import { Verifier } from '../../src/verify/verifier.js';
import { makeLogger } from '../../src/util/log.js';
import { closeIdleConnections } from '../../src/verify/http.js';
import { percentile, ms } from './stats.js';

export interface VerifyBenchResult {
  coldSingle: number[];
  warmSingle: number[];
  coldPod: number[];
  warmPod: number[];
}

export async function benchVerify(rounds = 20): Promise<VerifyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ape-bench-verify-'));
  const crane = await startCraneRegistry(dir);
  const pki = makePki(dir);
  const client = makeClientCert(pki, 'gatekeeper-webhook');
  let server: Awaited<ReturnType<typeof startVerifyServer>> | undefined;
  try {
    const key = await makeKey(dir, 'signer');
    const images: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ref = `${crane.host}/bench/app${i}:v1`;
      const digest = await pushImage(dir, ref, `bench image ${i}`);
      await sign(`${crane.host}/bench/app${i}@${digest}`, key, i % 2 === 0 ? 'bundle' : 'legacy');
      images.push(ref);
    }
    const policy: PolicyConfig = { name: 'bench', references: [{ reference: `${crane.host}/bench/*`, publicKeys: [key.publicKey] }] };
    const configFile = join(dir, 'config.json');
    const write = (n: number) => writeFileSync(configFile, JSON.stringify({
      apiVersion: CONFIG_API_VERSION, kind: CONFIG_KIND, plainHttpRegistries: [crane.host],
      // A dummy extra policy changes the file content: every write is a reload, which clears the caches.
      policies: [policy, { name: `dummy-${n}`, references: [{ reference: 'example.invalid/*', publicKeys: [key.publicKey] }] }],
    }));
    write(0);
    const metrics = new VerifyMetrics();
    server = await startVerifyServer({
      verifier: new Verifier({ metrics }), metrics, logger: makeLogger('error', true), configFile,
      tlsCertFile: pki.servingCert, tlsKeyFile: pki.servingKey, clientCaFile: pki.caCert,
      host: '127.0.0.1', port: 0, healthHost: '127.0.0.1', healthPort: 0, reloadIntervalMs: 3_600_000,
    });
    const agent = new https.Agent({ keepAlive: true, ca: readFileSync(pki.caCert), cert: readFileSync(client.cert), key: readFileSync(client.key), minVersion: 'TLSv1.3' });
    const port = server.port;
    const call = (keys: string[]) => new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = https.request({ host: '127.0.0.1', port, path: '/v1/verify', method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          const doc = JSON.parse(body) as { response: { items: { value?: string }[]; systemError?: string } };
          if (doc.response.systemError || doc.response.items.length !== keys.length || doc.response.items.some((i) => !i.value)) {
            reject(new Error(`unexpected answer: ${body}`));
            return;
          }
          resolve(performance.now() - t0);
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'externaldata.gatekeeper.sh/v1beta1', kind: 'ProviderRequest', request: { keys } }));
    });
    const keys = images.map((i) => providerKey(policy, i));
    const out: VerifyBenchResult = { coldSingle: [], warmSingle: [], coldPod: [], warmPod: [] };
    await call([keys[0]]); // TLS session and sockets up
    for (let r = 0; r < rounds; r++) {
      write(r + 1);
      await server.reload();
      out.coldSingle.push(await call([keys[r % keys.length]]));
      for (let w = 0; w < 10; w++) out.warmSingle.push(await call([keys[r % keys.length]]));
    }
    for (let r = 0; r < rounds; r++) {
      write(rounds + r + 1);
      await server.reload();
      out.coldPod.push(await call(keys));
      for (let w = 0; w < 5; w++) out.warmPod.push(await call(keys));
    }
    agent.destroy();
    return out;
  } finally {
    await server?.close();
    closeIdleConnections();
    await crane.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function reportVerify(r: VerifyBenchResult): string {
  const line = (name: string, s: number[]) => `  ${name.padEnd(34)} n=${String(s.length).padStart(4)}  p50 ${ms(percentile(s, 50)).padStart(6)}  p99 ${ms(percentile(s, 99)).padStart(6)}`;
  return ['verify provider (mTLS, crane registry on loopback, cosign-signed images):',
    line('1 image, cold (registry round trips)', r.coldSingle),
    line('1 image, warm (verdict cache)', r.warmSingle),
    line('Pod of 10 images, cold', r.coldPod),
    line('Pod of 10 images, warm', r.warmPod)].join('\n');
}

if (process.argv[1]?.endsWith('bench/verify.js')) {
  const result = await benchVerify(Number(process.env.APE_BENCH_VERIFY_ROUNDS ?? 20));
  process.stdout.write(`${reportVerify(result)}\n`);
  process.exit(0);
}
