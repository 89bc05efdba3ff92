// The `run` entry point as users start it: the built CLI, a kubeconfig file, flags, /readyz,
// JSON logs, and SIGTERM releasing the Lease before a clean exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { startOperatorEnv, type OperatorEnv } from '../harness/operator-env.js';
import { freePort } from '../harness/processes.js';
import { eventually } from '../helpers/kube.js';
import { builtCli } from '../helpers/cli.js';

let bin: string;

let env: OperatorEnv;
let child: ChildProcess | undefined;

beforeAll(async () => {
  bin = builtCli();
  env = await startOperatorEnv();
}, 240000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await env?.stop();
}, 60000);

test('run: converges and serves /readyz; SIGTERM releases the lease and exits 0', async () => {
  const kubeconfig = join(env.cp.dir, 'operator-cli.kubeconfig');
  writeFileSync(kubeconfig, env.operatorKc.exportConfig());
  const port = await freePort();
  let stderr = '';
  child = spawn(process.execPath, [bin, 'run', '--kubeconfig', kubeconfig, '--namespace', 'd8-system', '--gatekeeper-namespace', 'gatekeeper-system',
    '--http-addr', `127.0.0.1:${port}`, '--identity', 'cli-replica', '--lease-name', 'admission-policy-engine', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  try {
    await eventually('/readyz 200', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 120000, 500);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/ape_is_leader 1/);
    const leases = env.cp.kubeConfig.makeApiClient(CoordinationV1Api);
    expect((await leases.readNamespacedLease({ name: 'admission-policy-engine', namespace: 'd8-system' })).spec?.holderIdentity).toBe('cli-replica');

    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20000))]);
    expect(code).toBe(0);
    const lease = await leases.readNamespacedLease({ name: 'admission-policy-engine', namespace: 'd8-system' });
    expect(lease.spec?.holderIdentity ?? '').toBe('');
    // Logs are JSON lines on stderr.
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('level');
    expect(stderr).toContain('SIGTERM: shutting down');
  } catch (err) {
    throw new Error(`${String(err)}\n--- operator stderr ---\n${stderr.split('\n').slice(-30).join('\n')}`, { cause: err });
  }
}, 240000);
