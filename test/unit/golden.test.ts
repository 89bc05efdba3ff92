// Golden output: every policy example of the user documentation and the PSS defaults for each
// default policy x global action render to exactly the committed files in test/golden/.
// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../src/compile/index.js';
import { SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../../src/compile/labels.js';
import { renderYaml } from '../../src/cli/render.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { Action, GeneratedObject, NamespaceInput, PolicyInput, Standard } from '../../src/compile/types.js';
import { packageRoot } from '../../src/util/package-root.js';
import { seedPolicies } from '../helpers/seed.js';
import { assets } from '../helpers/assets.js';

const dir = join(packageRoot(), 'test/golden');
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, objects: GeneratedObject[]): void {
  // Exactly what `render` prints.
  const text = renderYaml(objects);
  const file = join(dir, `${name}.yaml`);
  if (update) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file)).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const constraintsOnly = (objects: GeneratedObject[]) => objects.filter((o) => o.apiVersion.startsWith('constraints.'));

/** What each documented example must produce (reference §5.2, §5.7). */
const expectedKinds: Record<string, string[]> = {
  'OperationPolicy/common': ['D8AllowedRepos', 'D8ContainerDuplicates', 'D8DNSPolicy', 'D8DisallowedTags', 'D8ImagePullPolicy', 'D8PriorityClass', 'D8RequiredProbes', 'D8RequiredResources', 'D8RevisionHistoryLimit'],
  // allowedProcMount: Unmasked allows everything: no D8AllowedProcMount (reference normalisation).
  'SecurityPolicy/mypolicy': ['D8AllowPrivilegeEscalation', 'D8AllowedCapabilities', 'D8AllowedFlexVolumes', 'D8AllowedSeccompProfiles', 'D8AllowedSysctls', 'D8AllowedUsers', 'D8AllowedVolumeTypes', 'D8AppArmor', 'D8HostNetwork', 'D8HostProcesses', 'D8PrivilegedContainer', 'D8ReadOnlyRootFilesystem'],
  'SecurityPolicy/baseline': ['D8AllowedCapabilities', 'D8AllowedHostPaths', 'D8AllowedSeccompProfiles', 'D8AllowedSysctls', 'D8AppArmor', 'D8HostNetwork', 'D8HostProcesses', 'D8PrivilegedContainer', 'D8SeLinux', 'D8AllowedProcMount'],
  'SecurityPolicy/restricted': ['D8AllowPrivilegeEscalation', 'D8AllowedCapabilities', 'D8AllowedHostPaths', 'D8AllowedProcMount', 'D8AllowedSeccompProfiles', 'D8AllowedSysctls', 'D8AllowedUsers', 'D8AllowedVolumeTypes', 'D8AppArmor', 'D8HostNetwork', 'D8HostProcesses', 'D8PrivilegedContainer', 'D8SeLinux'],
  'SecurityPolicy/verify-image-signatures': ['D8AllowPrivilegeEscalation', 'D8PrivilegedContainer', 'D8VerifyImageSignatures'],
};

/**
 * Constraint name prefixes each example gets ('' = the policy's own name). Every documented example
 * is a Deny policy selecting namespaces by label, so it can reach system namespaces: it warns there and
 * enforces only where a system namespace opted in (reference §5.3).
 */
const SPLIT = ['', 'd8-system-warn-', 'd8-system-enforce-'];
const systemVariants: Record<string, string[]> = {
  'OperationPolicy/common': SPLIT,
  'SecurityPolicy/mypolicy': SPLIT,
  'SecurityPolicy/baseline': SPLIT,
  'SecurityPolicy/restricted': SPLIT,
  'SecurityPolicy/verify-image-signatures': SPLIT,
};

describe('golden: documentation examples', () => {
  const policies = seedPolicies();
  test('every documented policy example is covered', () => {
    expect(policies.map((p) => `${p.kind}/${p.metadata.name}`).sort()).toEqual(Object.keys(expectedKinds).sort());
  });

  test.each(policies.map((p) => [`${p.kind}/${p.metadata.name}`, p] as const))('%s', (key, p) => {
    const desired = compile({ settings: defaultCompileSettings(), policies: [p as unknown as PolicyInput], namespaces: [] }, assets());
    const outcome = desired.policies[0];
    expect(outcome.errors).toEqual([]);
    expect(outcome.valid).toBe(true);
    // Everything generated for the policy: its own constraints and, for a Deny policy that reaches
    // system namespaces, the d8-system-warn-/d8-system-enforce- variants (reference §5.3).
    const all = constraintsOnly(desired.objects).filter((o) => o.metadata.labels?.[SOURCE_KIND_LABEL] === p.kind && o.metadata.labels?.[SOURCE_NAME_LABEL] === p.metadata.name);
    const own = all.filter((o) => o.metadata.name === p.metadata.name);
    expect(own.map((o) => o.kind).sort()).toEqual([...expectedKinds[key]].sort());
    const action = String((p.spec as { enforcementAction?: string }).enforcementAction ?? 'Deny').toLowerCase();
    for (const c of own) expect((c as unknown as { spec: { enforcementAction: string } }).spec.enforcementAction).toBe(action);
    expect(new Set(all.map((o) => o.metadata.name))).toEqual(new Set(systemVariants[key].map((prefix) => `${prefix}${p.metadata.name}`)));
    golden(`${p.kind.toLowerCase()}-${p.metadata.name}`, all);
  });
});

describe('golden: PSS defaults for each default policy and global action', () => {
  const combos: [Standard, Action][] = (['privileged', 'baseline', 'restricted'] as const).flatMap((d) => (['deny', 'warn', 'dryrun'] as const).map((a) => [d, a] as [Standard, Action]));
  test.each(combos)('default %s, action %s', (defaultPolicy, enforcementAction) => {
    const namespaces: NamespaceInput[] = [
      { name: 'team-warn', labels: { 'security.deckhouse.io/pod-policy-action': 'warn' } },
      { name: 'kube-opted-in', labels: { 'security.deckhouse.io/enable-security-policy-check': 'true' } },
    ];
    const desired = compile({ settings: { ...defaultCompileSettings(), defaultPolicy, enforcementAction }, policies: [], namespaces }, assets());
    golden(`pss-${defaultPolicy}-${enforcementAction}`, constraintsOnly(desired.objects));
  });
});
