// In-process figures: compile and plan throughput and memory at growing sizes, and gator's own Rego
// evaluation speed for the PSS restricted set. No cluster: these isolate the pure parts the operator
// runs on every pass.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { PolicyInput } from '../../src/compile/types.js';
import { plan, withHash, type LiveObject } from '../../src/reconcile/plan.js';
import { objectKey } from '../../src/compile/types.js';
import { toolPath } from '../helpers/tools.js';
import { assets } from '../helpers/assets.js';
import { benchNamespace, benchPolicy, benchSecurityPolicy } from './inputs.js';
import { withoutExternalData } from '../helpers/gator.js';

function time<T>(fn: () => T, runs: number): { ms: number; result: T } {
  fn(); // warm-up
  const start = process.hrtime.bigint();
  let result!: T;
  for (let i = 0; i < runs; i++) result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6 / runs, result };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function microBench(): void {
  console.log('compile (policies, namespaces) -> objects: mean time per compile, heap after');
  for (const [nPolicies, nNamespaces] of [[0, 10], [10, 100], [100, 1000], [1000, 10000]] as const) {
    const policies: PolicyInput[] = Array.from({ length: nPolicies }, (_, i) => benchPolicy(i));
    const namespaces = Array.from({ length: nNamespaces }, (_, i) => benchNamespace(i));
    const runs = nPolicies >= 1000 ? 3 : 10;
    const { ms, result } = time(() => compile({ settings: defaultCompileSettings(), policies, namespaces }, assets()), runs);
    global.gc?.();
    console.log(`  ${String(nPolicies).padStart(5)} policies ${String(nNamespaces).padStart(6)} namespaces: ${ms.toFixed(1).padStart(8)} ms, ${String(result.objects.length).padStart(6)} objects, heap ${mb(process.memoryUsage().heapUsed)}`);
  }

  console.log('\nplan at rest (everything already applied): mean time per plan');
  for (const n of [10, 100, 1000]) {
    const policies: PolicyInput[] = Array.from({ length: n }, (_, i) => benchSecurityPolicy(i));
    const desired = compile({ settings: defaultCompileSettings(), policies, namespaces: [] }, assets());
    const live = new Map<string, LiveObject>(desired.objects.map((o) => [objectKey(o), withHash(o) as unknown as LiveObject]));
    const ready = new Set(desired.objects.filter((o) => o.kind === 'ConstraintTemplate').map((o) => o.metadata.name));
    const { ms, result } = time(() => plan(desired, { objects: live, complete: true, readyTemplates: ready, accepted: new Map() }, { retainSources: new Set() }), 10);
    console.log(`  ${String(desired.objects.length).padStart(6)} objects: ${ms.toFixed(2).padStart(8)} ms, ${result.length} actions`);
  }

  console.log('\ngator bench -e rego: PSS restricted constraints against one compliant pod');
  const dir = mkdtempSync(join(tmpdir(), 'ape-bench-'));
  try {
    const desired = compile({ settings: { ...defaultCompileSettings(), defaultPolicy: 'restricted' }, policies: [], namespaces: [{ name: 'bench', labels: {} }] }, assets());
    writeFileSync(join(dir, 'policies.yaml'), withoutExternalData(desired.objects).filter((o) => o.kind !== 'Config').map((o) => stringify(o)).join('---\n'));
    writeFileSync(join(dir, 'objects.yaml'), [
      stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }),
      stringify({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'bench' },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{ name: 'app', image: 'registry.example.com/app:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
        },
      }),
    ].join('---\n'));
    const r = spawnSync(toolPath('gator'), ['bench', '-e', 'rego', '-n', '500', '-f', join(dir, 'policies.yaml'), '-f', join(dir, 'objects.yaml')], { encoding: 'utf8' });
    console.log((r.stdout + r.stderr).split('\n').map((l) => `  ${l}`).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
