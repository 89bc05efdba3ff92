// Benchmarks (`npm run bench`): print figures, assert nothing. Compile and plan throughput and
// memory at growing sizes, and gator's own Rego evaluation speed for the PSS restricted set.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stringify } from 'yaml';
import { compile } from '../../src/compile/index.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { PolicyInput, NamespaceInput } from '../../src/compile/types.js';
import { plan, withHash, type LiveObject } from '../../src/reconcile/plan.js';
import { objectKey } from '../../src/compile/types.js';
import { toolPath } from '../helpers/tools.js';
import { assets } from '../helpers/assets.js';
import { matchNames, matchNamespaceLabels, operationPolicy, securityPolicy } from '../helpers/policies.js';

const benchSecurityPolicy = (i: number): PolicyInput => securityPolicy(`sp-${i}`,
  { allowPrivileged: false, allowHostNetwork: false, allowedHostPorts: [{ min: 2000 + i, max: 3000 + i }], allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['ALL'], runAsUser: { rule: 'MustRunAsNonRoot' }, allowedVolumes: ['configMap', 'secret', 'emptyDir'] },
  matchNamespaceLabels({ team: `t${i}` }), { enforcementAction: 'Deny' });

const benchOperationPolicy = (i: number): PolicyInput => operationPolicy(`op-${i}`,
  { allowedRepos: [`registry${i}.example.com/`], disallowedImageTags: ['latest'], requiredProbes: ['livenessProbe'] }, matchNames(`team-${i}-*`));

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

console.log('admission-policy-engine benchmarks');
console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
console.log('compile (policies, namespaces) -> objects: mean time per compile, heap after');
for (const [nPolicies, nNamespaces] of [[0, 10], [10, 100], [100, 1000], [1000, 10000]] as const) {
  const policies = Array.from({ length: nPolicies }, (_, i) => (i % 2 ? benchSecurityPolicy(i) : benchOperationPolicy(i)));
  const namespaces: NamespaceInput[] = Array.from({ length: nNamespaces }, (_, i) => ({ name: `ns-${i}`, labels: { 'security.deckhouse.io/pod-policy-action': ['deny', 'warn', 'dryrun'][i % 3] } }));
  const runs = nPolicies >= 1000 ? 3 : 10;
  const { ms, result } = time(() => compile({ settings: defaultCompileSettings(), policies, namespaces }, assets()), runs);
  global.gc?.();
  console.log(`  ${String(nPolicies).padStart(5)} policies ${String(nNamespaces).padStart(6)} namespaces: ${ms.toFixed(1).padStart(8)} ms, ${String(result.objects.length).padStart(6)} objects, heap ${mb(process.memoryUsage().heapUsed)}`);
}

console.log('\nplan at rest (everything already applied): mean time per plan');
for (const n of [10, 100, 1000]) {
  const policies = Array.from({ length: n }, (_, i) => benchSecurityPolicy(i));
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
  writeFileSync(join(dir, 'policies.yaml'), desired.objects.filter((o) => o.kind !== 'Config').map((o) => stringify(o)).join('---\n'));
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
