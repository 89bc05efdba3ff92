// Property tests of the pure compiler (fast-check). compile() promises: it never throws, bad input
// becomes per-policy errors while the other policies still compile, the output is deterministic
// (input order does not matter, the YAML is byte-identical), generated names and labels are valid
// Kubernetes values, and everything it emits is accepted by Gatekeeper (gator: template Rego
// compiles, constraints validate against the templates' parameter schemas and the match schema).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultSettings } from '../../src/api/types.js';
import { byCodePoint } from '../../src/util/order.js';
import { matchSelectsNothing, re2Problem } from '../../src/api/policy-values.js';
import { catalog } from '../../src/checks/index.js';
import { renderYaml } from '../../src/cli/render.js';
import { compile } from '../../src/compile/index.js';
import { SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../../src/compile/labels.js';
import { labelValue } from '../../src/compile/names.js';
import { defaultCompileSettings, toCompileSettings } from '../../src/compile/settings.js';
import type { CompileSettings, Desired, NamespaceInput, PolicyInput, Snapshot } from '../../src/compile/types.js';
import { run } from '../helpers/run.js';
import { toolPath } from '../helpers/tools.js';
import { assets } from '../helpers/assets.js';
import { withoutExternalData } from '../helpers/gator.js';

type Obj = Record<string, unknown>;
type PolicyKind = PolicyInput['kind'];

// ---------------------------------------------------------------------------------------------
// Schema-shaped arbitraries (crds/*.yaml)

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/);
const longDnsLabel = fc.stringMatching(/^[a-z0-9][-a-z0-9]{20,61}[a-z0-9]$/);
/**
 * Policy names: mostly short, sometimes dotted names up to the 63 characters Gatekeeper allows
 * for constraint names (longer ones are rejected: see 'badName').
 */
const policyName = fc
  .oneof(
    { weight: 4, arbitrary: dnsLabel },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof(dnsLabel, longDnsLabel), { minLength: 2, maxLength: 4 }).map((parts) => {
        let name = parts[0];
        for (const p of parts.slice(1)) if (name.length + 1 + p.length <= 63) name += `.${p}`;
        return name;
      }),
    },
  )
  .filter((n) => !n.startsWith('d8-pod-security-') && !n.startsWith('d8-system-'));

const wellFormed = (s: string) => !/\p{Cs}/u.test(s);
/**
 * Any string the API can carry (no lone surrogates): printable ASCII, unicode, every code point
 * (controls included), and whitespace/number/line-break soup that YAML writers get wrong.
 */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).filter(wellFormed) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '0', '1', '-', '+', '_', '.', ':', '#', '"', "'", 'x', 'o', 'y', '\u0085', '\u2028', '\u00a0'), maxLength: 10 }),
  },
);
const labelName = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,12}[A-Za-z0-9])?$/);
const labelKey = fc.tuple(fc.option(dnsLabel, { nil: undefined }), labelName).map(([prefix, name]) => (prefix ? `${prefix}/${name}` : name));
const labelVal = fc.oneof(fc.constant(''), labelName);
const requirement = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(labelVal, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const selector = fc.oneof(
  fc.record({ matchLabels: fc.dictionary(labelKey, labelVal, { minKeys: 1, maxKeys: 3, noNullPrototype: true }) }),
  fc.record({ matchExpressions: fc.array(requirement, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    matchLabels: fc.dictionary(labelKey, labelVal, { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
    matchExpressions: fc.array(requirement, { minLength: 1, maxLength: 2 }),
  }),
);
/** Namespace names and globs as Gatekeeper's match schema accepts them. */
const nsGlob = fc.oneof(
  fc.stringMatching(/^\*?[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?\*?$/),
  fc.constantFrom('*', 'default', 'kube-system', 'd8-system', 'team-*', '*-prod'),
);
const nonEmpty = (o: object) => Object.keys(o).length > 0;
const namespaceSelector = fc
  .record(
    {
      matchNames: fc.uniqueArray(nsGlob, { minLength: 1, maxLength: 3 }),
      excludeNames: fc.uniqueArray(nsGlob, { minLength: 1, maxLength: 3 }),
      labelSelector: selector,
    },
    { requiredKeys: [] },
  )
  .filter(nonEmpty);
// Valid means the whole validation passes: a match that excludes everything it selects is refused.
const selectsSomething = (m: unknown) => {
  const out: { field: string; message: string }[] = [];
  matchSelectsNothing(m, out);
  return out.length === 0;
};
const match = fc.record({ namespaceSelector, labelSelector: selector }, { requiredKeys: [] }).filter(nonEmpty).filter(selectsSomething);

const range = (lo: number, hi: number, minKey = 'min', maxKey = 'max') =>
  fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => ({ [minKey]: Math.min(a, b), [maxKey]: Math.max(a, b) }));
const CAPS = ['ALL', 'SETPCAP', 'SYS_ADMIN', 'NET_ADMIN', 'NET_RAW', 'CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SYS_TIME', 'AUDIT_WRITE'];
const VOLUMES = ['*', 'none', 'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'hostPath', 'persistentVolumeClaim', 'projected', 'secret', 'flexVolume'];
// MustRunAs / MayRunAs need ranges; MustRunAsNonRoot takes none (src/api/policy-values.ts).
const idBlock = (rules: string[]) =>
  fc.constantFrom(...rules).chain((rule): fc.Arbitrary<{ rule: string; ranges?: unknown[] }> => {
    if (rule === 'MustRunAsNonRoot') return fc.constant({ rule });
    const min = rule === 'RunAsAny' ? 0 : 1;
    return fc.record({ rule: fc.constant(rule), ranges: fc.array(range(0, 2147483647), { minLength: min, maxLength: 3 }) }, { requiredKeys: min > 0 ? ['rule', 'ranges'] : ['rule'] });
  });
const absPath = fc.oneof(fc.constantFrom('/', '/var/log', '/etc/ssl/certs', '/opt/data'), text.map((s) => `/${s.replace(/\*/g, '')}`));

const securityPolicies = fc.record(
  {
    allowPrivileged: fc.boolean(),
    allowPrivilegeEscalation: fc.boolean(),
    allowHostPID: fc.boolean(),
    allowHostIPC: fc.boolean(),
    allowHostNetwork: fc.boolean(),
    allowedHostPorts: fc.array(range(0, 65535), { maxLength: 3 }),
    allowedHostPaths: fc.array(fc.record({ pathPrefix: absPath, readOnly: fc.boolean() }, { requiredKeys: ['pathPrefix'] }), { maxLength: 3 }),
    allowedProcMount: fc.constantFrom('Default', 'Unmasked'),
    allowedCapabilities: fc.uniqueArray(fc.constantFrom(...CAPS), { maxLength: 4 }),
    requiredDropCapabilities: fc.uniqueArray(fc.constantFrom(...CAPS), { maxLength: 4 }),
    allowedAppArmor: fc.array(fc.oneof(fc.constantFrom('runtime/default', 'unconfined', 'localhost/*', 'localhost/my-profile'), text), { maxLength: 3 }),
    allowedFlexVolumes: fc.array(fc.record({ driver: fc.oneof(fc.constant('example/lvm'), text) }), { maxLength: 3 }),
    allowedUnsafeSysctls: fc.array(fc.oneof(fc.constantFrom('*', 'kernel.msg*', 'net.core.somaxconn'), text), { maxLength: 3 }),
    forbiddenSysctls: fc.array(fc.oneof(fc.constantFrom('*', 'kernel.*', 'net.ipv4.ip_forward'), text), { maxLength: 3 }),
    fsGroup: idBlock(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    runAsUser: idBlock(['MustRunAs', 'MustRunAsNonRoot', 'RunAsAny']),
    runAsGroup: idBlock(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    supplementalGroups: idBlock(['MustRunAs', 'MayRunAs', 'RunAsAny']),
    readOnlyRootFilesystem: fc.boolean(),
    automountServiceAccountToken: fc.boolean(),
    allowedClusterRoles: fc.array(fc.oneof(fc.constant('*'), dnsLabel, text), { maxLength: 3 }),
    seccompProfiles: fc.record(
      {
        allowedProfiles: fc.array(fc.oneof(fc.constantFrom('RuntimeDefault', 'Localhost', 'Unconfined', '*', '', 'undefined', 'runtime/default'), text.map((t) => `localhost/${t}x`)), { maxLength: 3 }),
        allowedLocalhostFiles: fc.array(fc.oneof(fc.constantFrom('*', 'profiles/audit.json'), text), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    seLinux: fc.array(fc.record({ level: text, role: text, type: fc.oneof(fc.constantFrom('container_t', '*'), text), user: text }, { requiredKeys: [] }), { maxLength: 3 }),
    allowedVolumes: fc.uniqueArray(fc.constantFrom(...VOLUMES), { maxLength: 4 }),
    verifyImageSignatures: fc.array(
      fc.record({ reference: fc.constantFrom('registry.example.com/*', 'ghcr.io/team/app'), publicKeys: fc.array(text, { minLength: 1, maxLength: 2 }) }),
      { maxLength: 2 },
    ),
    allowRbacWildcards: fc.boolean(),
    allowedServiceTypes: fc.uniqueArray(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'), { maxLength: 3 }),
    blockWildcardDomains: fc.boolean(),
  },
  { requiredKeys: [] },
);

const watchKind = fc.constantFrom('/Pod', '/Service', '/ConfigMap', '/Namespace', 'apps/Deployment', 'batch/CronJob', 'networking.k8s.io/Ingress', 'example.com/Widget');
const keyed = (listKey: string) =>
  fc.record({
    [listKey]: fc.array(fc.record({ key: fc.oneof(labelKey, text), allowedRegex: fc.oneof(fc.constantFrom('^prod$', '(?i)dev', '.*', ''), text.filter((t) => re2Problem(t) === undefined)) }, { requiredKeys: ['key'] }), {
      minLength: 1,
      maxLength: 3,
    }),
    watchKinds: fc.uniqueArray(watchKind, { minLength: 1, maxLength: 3 }),
  });
const operationPolicies = fc.record(
  {
    allowedRepos: fc.array(fc.oneof(fc.constantFrom('registry.example.com/', 'docker.io/library/'), text.filter((t) => t !== '')), { maxLength: 3 }),
    requiredResources: fc
      .record(
        {
          limits: fc.uniqueArray(fc.constantFrom('cpu', 'memory'), { maxLength: 2 }),
          requests: fc.uniqueArray(fc.constantFrom('cpu', 'memory'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      )
      .filter(nonEmpty),
    disallowedImageTags: fc.array(fc.oneof(fc.constant('latest'), text), { maxLength: 3 }),
    disallowedTolerations: fc.array(
      fc.record(
        { key: text, operator: fc.constantFrom('Exists', 'Equal'), value: text, effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute') },
        { requiredKeys: [] },
      ).filter((t) => Object.values(t).some((v) => v !== '')),
      { maxLength: 3 },
    ),
    // Resource name patterns are RE2 (validated): valid policies use valid patterns.
    disallowedCustomResources: fc.array(text.filter((t) => re2Problem(t) === undefined), { maxLength: 2 }),
    gpuResourceRestriction: fc.record(
      { namespaceLabel: fc.record({ key: labelKey, value: labelVal }, { requiredKeys: ['key'] }), gpuResourcePatterns: fc.array(text.filter((t) => re2Problem(t) === undefined), { maxLength: 2 }) },
      { requiredKeys: [] },
    ),
    requiredLabels: keyed('labels'),
    requiredAnnotations: keyed('annotations'),
    requiredProbes: fc.uniqueArray(fc.constantFrom('livenessProbe', 'readinessProbe', 'startupProbe'), { maxLength: 3 }),
    maxRevisionHistoryLimit: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    imagePullPolicy: fc.constantFrom('Always', 'IfNotPresent'),
    priorityClassNames: fc.array(fc.oneof(dnsLabel, text), { maxLength: 3 }),
    ingressClassNames: fc.array(fc.oneof(dnsLabel, text), { maxLength: 3 }),
    storageClassNames: fc.array(fc.oneof(dnsLabel, text), { maxLength: 3 }),
    checkHostNetworkDNSPolicy: fc.boolean(),
    checkContainerDuplicates: fc.boolean(),
    replicaLimits: fc.oneof(
      range(0, 2 ** 31 - 1, 'minReplicas', 'maxReplicas'),
      fc.record({ minReplicas: fc.nat(100) }),
      fc.record({ maxReplicas: fc.nat(100) }),
      fc.constant({}),
    ),
  },
  { requiredKeys: [] },
);

const policyOf = (kind: PolicyKind): fc.Arbitrary<PolicyInput> =>
  fc.record(
    {
      apiVersion: fc.constant('deckhouse.io/v1alpha1'),
      kind: fc.constant(kind),
      metadata: fc.record({ name: policyName, generation: fc.nat() }, { requiredKeys: ['name'] }),
      spec: fc.record(
        {
          enforcementAction: fc.constantFrom('Deny', 'Warn', 'Dryrun'),
          policies: kind === 'SecurityPolicy' ? securityPolicies : operationPolicies,
          match,
        },
        { requiredKeys: ['policies', 'match'] },
      ),
    },
    { requiredKeys: ['kind', 'metadata', 'spec'] },
  );
const validPolicy = fc.oneof(policyOf('SecurityPolicy'), policyOf('OperationPolicy'));

// Slightly invalid policies: one targeted mistake on a valid one, each of which must be rejected.
const MUTATIONS = [
  'flipType', 'unknownField', 'badEnum', 'missingMatch', 'missingPolicies', 'minOverMax', 'badNamespaceName',
  'badLabelKey', 'emptyInValues', 'emptyNamespaceSelector', 'badName', 'reservedName', 'noName', 'badHostPath',
] as const;
type Mutation = (typeof MUTATIONS)[number];

/** Every path (as keys) inside `value`, the root included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

/** A value of another JSON type than `v` (every field of our schemas is typed, so this is invalid). */
function otherType(v: unknown): unknown {
  if (typeof v === 'string') return 42;
  if (typeof v === 'number') return Number.isInteger(v) ? 1.5 : 'x';
  if (typeof v === 'boolean') return 'true';
  if (Array.isArray(v)) return {};
  return [];
}

function mutate(policy: PolicyInput, mutation: Mutation, pick: number): PolicyInput {
  const p = structuredClone(policy) as PolicyInput & { spec: Obj & { policies: Obj; match: Obj }; metadata: Obj };
  const spec: Obj = p.spec;
  switch (mutation) {
    case 'flipType': {
      const all = paths(p.spec);
      const path = all[pick % all.length];
      if (path.length === 0) {
        p.spec = otherType(p.spec) as typeof p.spec;
        break;
      }
      let parent: Obj = p.spec;
      for (const k of path.slice(0, -1)) parent = parent[k] as Obj;
      const last = path[path.length - 1];
      parent[last] = otherType(parent[last]);
      break;
    }
    case 'unknownField':
      [p.spec, p.spec.policies, p.spec.match][pick % 3][pick % 2 === 0 ? 'bogusField' : 'allowedRepo'] = true;
      break;
    case 'badEnum':
      p.spec.enforcementAction = ['Block', 'deny', ''][pick % 3];
      break;
    case 'missingMatch':
      delete spec.match;
      break;
    case 'missingPolicies':
      delete spec.policies;
      break;
    case 'minOverMax':
      if (p.kind === 'SecurityPolicy') p.spec.policies.allowedHostPorts = [{ min: 100, max: 10 }];
      else p.spec.policies.replicaLimits = { minReplicas: 5, maxReplicas: 1 };
      break;
    case 'badNamespaceName':
      p.spec.match = { namespaceSelector: { [pick % 2 === 0 ? 'matchNames' : 'excludeNames']: ['ok', ['Upper', 'under_score', 'a b', 'x/y'][pick % 4]] } };
      break;
    case 'badLabelKey':
      p.spec.match = { labelSelector: { matchLabels: { [['bad key', '-x', 'UPPER.com/x', 'a/b/c'][pick % 4]]: 'v' } } };
      break;
    case 'emptyInValues':
      p.spec.match = { labelSelector: { matchExpressions: [{ key: 'app', operator: pick % 2 === 0 ? 'In' : 'NotIn', values: [] }] } };
      break;
    case 'emptyNamespaceSelector':
      p.spec.match = { namespaceSelector: { matchNames: [] } };
      break;
    case 'badName':
      // 64..253 characters: a valid object name, but too long for a Gatekeeper constraint.
      p.metadata.name = ['Upper', 'a_b', '-x', 'x'.repeat(254), 'a..b', 'x'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(63)}`][pick % 7];
      break;
    case 'reservedName':
      p.metadata.name = pick % 2 === 0 ? 'd8-pod-security-baseline-deny-default' : 'd8-system-x';
      break;
    case 'noName':
      p.metadata = pick % 2 === 0 ? {} : { name: 7 };
      break;
    case 'badHostPath':
      if (p.kind === 'SecurityPolicy') p.spec.policies.allowedHostPaths = [{ pathPrefix: pick % 2 === 0 ? 'relative/path' : '/var/*' }];
      else p.spec.policies.maxRevisionHistoryLimit = -1;
      break;
  }
  return p;
}
const invalidPolicy = fc.tuple(validPolicy, fc.constantFrom(...MUTATIONS), fc.nat()).map(([p, m, pick]) => ({ policy: mutate(p, m, pick), mutation: m }));

// Garbage: anything JavaScript can hold, well beyond what YAML or the API produce.
const junk = fc.anything({
  maxDepth: 5,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withObjectString: true,
  withBoxedValues: true,
  stringUnit: 'binary',
});
const hugeString = fc.tuple(fc.constantFrom('a', 'é', '😀', '"', '\\', '\u0000', '{'), fc.integer({ min: 10_000, max: 100_000 })).map(([c, n]) => c.repeat(n));
const SPEC_KEYS = ['enforcementAction', 'policies', 'match', 'namespaceSelector', 'labelSelector'];
const POLICY_KEYS = [
  'allowPrivileged', 'allowedHostPorts', 'allowedHostPaths', 'allowedCapabilities', 'seccompProfiles', 'seLinux', 'runAsUser', 'fsGroup',
  'allowedRepos', 'requiredLabels', 'requiredResources', 'replicaLimits', 'disallowedTolerations', 'maxRevisionHistoryLimit',
];
const junkish = fc.oneof({ weight: 4, arbitrary: junk }, { weight: 1, arbitrary: hugeString });
/** Objects that look like a spec, with wrong types everywhere (deeply nested junk). */
const shapedJunkSpec = fc.record(
  {
    enforcementAction: junkish,
    policies: fc.oneof(junkish, fc.dictionary(fc.constantFrom(...POLICY_KEYS), junkish, { maxKeys: 5 })),
    match: fc.oneof(
      junkish,
      fc.record({ namespaceSelector: fc.oneof(junkish, fc.dictionary(fc.constantFrom('matchNames', 'excludeNames', 'labelSelector'), junkish)), labelSelector: junkish }, { requiredKeys: [] }),
    ),
    extra: junkish,
  },
  { requiredKeys: [] },
);
const garbageSpec = fc.oneof(junkish, shapedJunkSpec, fc.dictionary(fc.constantFrom(...SPEC_KEYS), junkish));
// Mostly a valid name, so that the garbage spec gets past the name check into validation.
const garbageMetadata = fc.oneof(
  { weight: 1, arbitrary: junkish },
  { weight: 1, arbitrary: fc.record({ name: fc.oneof(junkish, policyName, hugeString), generation: junkish }, { requiredKeys: [] }) },
  { weight: 3, arbitrary: fc.record({ name: policyName, generation: junkish, labels: junkish, annotations: junkish }, { requiredKeys: ['name'] }) },
);
const garbagePolicy: fc.Arbitrary<PolicyInput> = fc
  .tuple(fc.constantFrom<PolicyKind>('SecurityPolicy', 'OperationPolicy'), garbageMetadata, garbageSpec, fc.boolean())
  .map(([kind, metadata, spec, withApiVersion]) => {
    const p: Obj = { kind, metadata, spec };
    if (withApiVersion) p.apiVersion = 'deckhouse.io/v1alpha1';
    return p as unknown as PolicyInput;
  });
/**
 * The whole object garbage (apiVersion, status, any extra keys) except `kind` (what the compiler
 * dispatches on) and `origin` (set by the caller, not read from input).
 */
const garbageObject: fc.Arbitrary<PolicyInput> = fc
  .tuple(
    fc.constantFrom<PolicyKind>('SecurityPolicy', 'OperationPolicy'),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('apiVersion', 'status', 'spec', 'metadata', '__proto__', 'constructor')), junk, { maxKeys: 6 }),
    fc.option(garbageMetadata, { nil: undefined }),
    fc.option(garbageSpec, { nil: undefined }),
  )
  .map(([kind, rest, metadata, spec]) => {
    const p: Obj = { ...rest };
    if (metadata !== undefined) p.metadata = metadata;
    if (spec !== undefined) p.spec = spec;
    p.kind = kind;
    delete p.origin;
    return p as unknown as PolicyInput;
  });

const settingsArb: fc.Arbitrary<CompileSettings> = fc
  .record({
    defaultPolicy: fc.constantFrom('Privileged', 'Baseline', 'Restricted'),
    enforcementAction: fc.constantFrom('Deny', 'Warn', 'Dryrun'),
    controllerValidation: fc.boolean(),
    knownRanges: fc.array(range(0, 65535) as fc.Arbitrary<{ min: number; max: number }>, { maxLength: 2 }),
  })
  .map(({ knownRanges, ...pss }) => toCompileSettings({ ...defaultSettings, podSecurityStandards: { ...pss, policies: { hostPorts: { knownRanges } } } }));

const POD_POLICY = 'security.deckhouse.io/pod-policy';
const POD_POLICY_ACTION = 'security.deckhouse.io/pod-policy-action';
const SYSTEM_CHECK = 'security.deckhouse.io/enable-security-policy-check';
const namespacesArb: fc.Arbitrary<NamespaceInput[]> = fc.uniqueArray(
  fc
    .record(
      {
        name: dnsLabel,
        level: fc.constantFrom('privileged', 'baseline', 'restricted', 'Restricted', 'bogus'),
        action: fc.constantFrom('deny', 'warn', 'dryrun', 'Warn', ''),
        system: fc.constantFrom('true', 'false'),
      },
      { requiredKeys: ['name'] },
    )
    .map(({ name, level, action, system }) => {
      const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
      if (level !== undefined) labels[POD_POLICY] = level;
      if (action !== undefined) labels[POD_POLICY_ACTION] = action;
      if (system !== undefined) labels[SYSTEM_CHECK] = system;
      return { name, labels };
    }),
  { selector: (n) => n.name, maxLength: 5 },
);

// ---------------------------------------------------------------------------------------------
// Helpers

const settings = defaultCompileSettings();
const snapshotOf = (policies: PolicyInput[], s: CompileSettings = settings, namespaces: NamespaceInput[] = []): Snapshot => ({ settings: s, policies, namespaces });
/** Exactly what `render` prints. */
const toYaml = (d: Desired) => renderYaml(d.objects);
const ownedBy = (d: Desired, kind: PolicyKind, name: string) =>
  d.objects.filter((o) => o.metadata.labels?.[SOURCE_KIND_LABEL] === kind && o.metadata.labels?.[SOURCE_NAME_LABEL] === labelValue(name));
const describeErrors = (d: Desired) => JSON.stringify(d.policies.map((p) => ({ name: p.name, errors: p.errors })));

/** The per-policy contract: invalid means errors on spec/metadata fields and no constraints. */
function expectOutcomeContract(d: Desired, input: PolicyInput): void {
  const name = typeof input.metadata?.name === 'string' ? input.metadata.name : '';
  const outcome = d.policies.find((p) => p.kind === input.kind && p.name === name && p.origin === input.origin);
  expect(outcome).toBeDefined();
  if (!outcome!.valid) {
    expect(outcome!.errors.length).toBeGreaterThan(0);
    for (const e of outcome!.errors) {
      expect(e.field).toMatch(/^(spec|metadata)(\.|\[|$)/);
      expect(typeof e.message).toBe('string');
      expect(e.message.length).toBeGreaterThan(0);
    }
    expect(outcome!.constraints).toEqual([]);
  }
}

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed });

beforeAll(() => {
  // Reproduce a failure with FC_SEED=<seed> (fast-check also prints the seed and path).
  process.stdout.write(`compile-properties: fast-check seed ${seed}\n`);
});

// ---------------------------------------------------------------------------------------------

/** A policy's constraint names: its own and the system-namespace variants (src/compile/system-namespaces.ts). */
function variantNames(name: string): Set<string> & { warn: string } {
  const warn = labelValue(`d8-system-warn-${name}`);
  return Object.assign(new Set([name, warn, labelValue(`d8-system-enforce-${name}`)]), { warn });
}

describe('compile never throws', () => {
  test('garbage spec and metadata on a valid kind: rejected with spec/metadata errors', () => {
    fc.assert(
      fc.property(garbagePolicy, (policy) => {
        const d = compile(snapshotOf([policy]), assets());
        expect(d.policies).toHaveLength(1);
        expectOutcomeContract(d, policy);
      }),
      params(300),
    );
  });

  test('whole-object garbage (any keys, any values, apiVersion included) never throws', () => {
    fc.assert(
      fc.property(garbageObject, (policy) => {
        const d = compile(snapshotOf([policy]), assets());
        expect(d.policies).toHaveLength(1);
        const outcome = d.policies[0];
        if (!outcome.valid) {
          expect(outcome.errors.length).toBeGreaterThan(0);
          for (const e of outcome.errors) expect(e.field).toMatch(/^(spec|metadata|apiVersion)(\.|\[|$)/);
        }
      }),
      params(300),
    );
  });

  test('schema-shaped valid policies compile to constraints named after the policy', () => {
    fc.assert(
      fc.property(validPolicy, (policy) => {
        const d = compile(snapshotOf([policy]), assets());
        const outcome = d.policies[0];
        if (!outcome.valid) throw new Error(`expected valid: ${describeErrors(d)}`);
        expect(outcome.errors).toEqual([]);
        const name = policy.metadata!.name as string;
        const own = ownedBy(d, policy.kind, name);
        expect(own.map((o) => ({ kind: o.kind, name: o.metadata.name })).sort((a, b) => byCodePoint(a.kind, b.kind))).toEqual(outcome.constraints);
        const spec = policy.spec as { enforcementAction?: string; policies: Obj };
        const action = (spec.enforcementAction ?? 'Deny').toLowerCase();
        // Named after the policy, or its system-namespace variants (warn there, its action where opted in).
        const variants = variantNames(name);
        for (const c of own) {
          expect(variants.has(c.metadata.name)).toBe(true);
          const want = c.metadata.name === variants.warn ? 'warn' : action;
          expect((c.spec as { enforcementAction: string }).enforcementAction).toBe(want);
        }
        if (outcome.constraints.length === 0) expect(outcome.notes.join('\n')).toMatch(/no check applies/);
        // The documented defaults: privileged containers and privilege escalation are forbidden
        // unless explicitly allowed.
        if (policy.kind === 'SecurityPolicy') {
          expect(own.some((c) => c.kind === 'D8PrivilegedContainer')).toBe(spec.policies.allowPrivileged !== true);
          expect(own.some((c) => c.kind === 'D8AllowPrivilegeEscalation')).toBe(spec.policies.allowPrivilegeEscalation !== true);
        }
        // Parameters are exactly what the catalog entry derives from the (defaulted) policy.
        for (const c of own) {
          const check = catalog.find((k) => k.kind === c.kind)!;
          expect(check.source).toBe(policy.kind);
          const expected = (check as { fromPolicy?: (p: unknown, named: { name: string }) => unknown }).fromPolicy!(structuredClone(spec.policies), { name: String(policy.metadata?.name) });
          const got = (c.spec as { parameters?: Obj }).parameters ?? {};
          expect(got).toEqual(expected);
        }
      }),
      params(300),
    );
  });

  test('slightly invalid policies: valid false, errors on spec/metadata fields, no constraints', () => {
    fc.assert(
      fc.property(invalidPolicy, ({ policy, mutation }) => {
        const d = compile(snapshotOf([policy]), assets());
        const outcome = d.policies[0];
        if (outcome.valid) throw new Error(`mutation ${mutation} was accepted: ${JSON.stringify(policy)}`);
        expectOutcomeContract(d, policy);
        // Nothing but the policy-independent objects: PSS, built-ins, templates, Config.
        expect(d.objects.filter((o) => o.metadata.labels?.[SOURCE_KIND_LABEL] === policy.kind)).toEqual([]);
      }),
      params(300),
    );
  });

  test('one bad policy does not take the others down', () => {
    const good: PolicyInput = {
      apiVersion: 'deckhouse.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'known-good' },
      spec: { match: { namespaceSelector: { matchNames: ['prod'] } }, policies: { allowHostNetwork: false, allowedHostPaths: [] } },
    };
    const goodOp: PolicyInput = {
      kind: 'OperationPolicy',
      metadata: { name: 'known-good-ops' },
      spec: { match: { labelSelector: { matchLabels: { app: 'web' } } }, policies: { allowedRepos: ['registry.example.com/'] } },
    };
    const alone = compile(snapshotOf([good, goodOp]), assets());
    const expected = [...ownedBy(alone, 'SecurityPolicy', 'known-good'), ...ownedBy(alone, 'OperationPolicy', 'known-good-ops')];
    // known-good-ops selects by object label only: it reaches system namespaces (warn/enforce variants too).
    expect(expected.map((c) => c.kind).sort()).toEqual(['D8AllowPrivilegeEscalation', 'D8AllowedHostPaths', 'D8AllowedRepos', 'D8AllowedRepos', 'D8AllowedRepos', 'D8HostNetwork', 'D8PrivilegedContainer']);
    fc.assert(
      fc.property(fc.array(fc.oneof(garbagePolicy, garbageObject, invalidPolicy.map((x) => x.policy)), { minLength: 1, maxLength: 3 }), (bad) => {
        // The good ones keep their names; garbage taking the same name would be a duplicate.
        const others = bad.filter((b) => !['known-good', 'known-good-ops'].includes(b.metadata?.name as string));
        const d = compile(snapshotOf([...others, good, goodOp]), assets());
        for (const g of [good, goodOp]) {
          const outcome = d.policies.find((p) => p.kind === g.kind && p.name === g.metadata!.name)!;
          expect(outcome.valid).toBe(true);
        }
        const got = [...ownedBy(d, 'SecurityPolicy', 'known-good'), ...ownedBy(d, 'OperationPolicy', 'known-good-ops')];
        expect(got).toEqual(expected);
      }),
      params(150),
    );
  });
});

describe('determinism', () => {
  // Random snapshots: valid, invalid and garbage policies (duplicates included: origins differ),
  // random settings and namespace labels.
  const snapshotArb = fc
    .tuple(
      fc.array(fc.oneof({ weight: 4, arbitrary: validPolicy }, { weight: 1, arbitrary: invalidPolicy.map((x) => x.policy) }, { weight: 1, arbitrary: garbagePolicy }), {
        maxLength: 8,
      }),
      settingsArb,
      namespacesArb,
    )
    .map(([policies, s, namespaces]) => snapshotOf(policies.map((p, i) => ({ ...p, origin: `input.yaml: document ${i + 1}` })), s, namespaces));

  test('compiling twice, or with policies and namespaces shuffled, gives the same output and YAML bytes', () => {
    fc.assert(
      fc.property(
        snapshotArb.chain((snap) =>
          fc.tuple(
            fc.constant(snap),
            fc.shuffledSubarray(snap.policies, { minLength: snap.policies.length, maxLength: snap.policies.length }),
            fc.shuffledSubarray(snap.namespaces, { minLength: snap.namespaces.length, maxLength: snap.namespaces.length }),
          ),
        ),
        ([snap, policies, namespaces]) => {
          const copy = structuredClone(snap);
          const a = compile(snap, assets());
          const b = compile(snap, assets());
          const c = compile({ ...snap, policies, namespaces }, assets());
          // Byte-level first (cheap, and stricter: key order too), then deep equality.
          const json = JSON.stringify(a);
          expect(JSON.stringify(b)).toBe(json);
          expect(JSON.stringify(c)).toBe(json);
          expect(c).toEqual(a);
          expect(toYaml(c)).toBe(toYaml(a));
          // Compiling does not modify its input.
          expect(snap).toEqual(copy);
        },
      ),
      params(25),
    );
  });

  test('the same policy name in two documents: always the same one wins, whatever the order', () => {
    fc.assert(
      fc.property(validPolicy, validPolicy, (p1, p2) => {
        const a = { ...p1, origin: 'a.yaml: document 1' };
        const b = { ...p2, kind: p1.kind, metadata: { ...p2.metadata, name: p1.metadata!.name }, origin: 'b.yaml: document 1' } as PolicyInput;
        const x = compile(snapshotOf([a, b]), assets());
        const y = compile(snapshotOf([b, a]), assets());
        expect(y).toEqual(x);
        const dup = x.policies.find((p) => p.origin === 'b.yaml: document 1')!;
        expect(dup.valid).toBe(false);
        expect(dup.errors[0].field).toBe('metadata.name');
        expect(dup.errors[0].message).toMatch(/defined twice/);
      }),
      params(40),
    );
  });
});

describe('names and labels', () => {
  test('every object: name <= 253, label values <= 63 and valid; policy constraints are named after the policy', () => {
    fc.assert(
      fc.property(fc.array(validPolicy, { minLength: 1, maxLength: 6 }), settingsArb, namespacesArb, (policies, s, namespaces) => {
        const d = compile(snapshotOf(policies, s, namespaces), assets());
        // Plain checks collected into one assertion: thousands of expect() calls per run are slow.
        const problems: string[] = [];
        for (const o of d.objects) {
          const name = o.metadata.name;
          // Gatekeeper's own objects (templates, constraints, Config) are capped at 63.
          const max = o.apiVersion.includes('gatekeeper.sh') ? 63 : 253;
          if (name.length === 0 || name.length > max || !DNS1123_SUBDOMAIN.test(name)) problems.push(`${o.kind} name ${JSON.stringify(name)}`);
          for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
            if (v.length > 63 || !LABEL_VALUE.test(v)) problems.push(`${o.kind}/${name} label ${k}=${JSON.stringify(v)}`);
          }
        }
        for (const outcome of d.policies.filter((p) => p.valid)) {
          const variants = variantNames(outcome.name);
          for (const c of outcome.constraints) if (!variants.has(c.name)) problems.push(`${outcome.kind}/${outcome.name}: constraint ${c.kind}/${c.name}`);
        }
        expect(problems).toEqual([]);
        // No two objects share kind and name (a duplicate would make one silently overwrite the other).
        const keys = d.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      params(60),
    );
  });

  test('policy names: 63 characters compile (label value = name), 64 and more are rejected (Gatekeeper limit)', () => {
    const policy = (name: string): PolicyInput => ({
      kind: 'SecurityPolicy', metadata: { name }, spec: { match: { namespaceSelector: { matchNames: ['x'] } }, policies: {} },
    });
    const ok = `${'a'.repeat(31)}.${'b'.repeat(31)}`;
    expect(ok.length).toBe(63);
    const d = compile(snapshotOf([policy(ok)]), assets());
    const own = ownedBy(d, 'SecurityPolicy', ok);
    expect(own.length).toBeGreaterThan(0);
    for (const c of own) {
      expect(c.metadata.name).toBe(ok);
      expect(c.metadata.labels![SOURCE_NAME_LABEL]).toBe(ok);
    }
    for (const name of ['a'.repeat(64), `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`]) {
      const r = compile(snapshotOf([policy(name)]), assets());
      expect(r.policies[0].valid).toBe(false);
      expect(r.policies[0].errors).toHaveLength(1);
      expect(r.policies[0].errors[0].field).toBe('metadata.name');
      expect(r.policies[0].errors[0].message).toMatch(/at most 63 characters/);
      expect(ownedBy(r, 'SecurityPolicy', name)).toEqual([]);
    }
  });
});

describe('gator accepts what compile emits', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ape-props-gator-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'harmless', namespace: 'default', labels: { app: 'harmless' } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.0',
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };

  // Violates most checks, so that many constraints report and their parameters come back.
  const noisyPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'noisy', namespace: 'default', annotations: { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' } },
    spec: {
      hostNetwork: true,
      hostPID: true,
      priorityClassName: 'zz-none',
      tolerations: [{ operator: 'Exists' }],
      securityContext: { sysctls: [{ name: 'zz.none', value: '1' }], seLinuxOptions: { type: 'zz_t' }, seccompProfile: { type: 'Unconfined' } },
      containers: [
        {
          name: 'app',
          image: 'zz.invalid/app',
          ports: [{ containerPort: 80, hostPort: 80 }],
          securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] }, procMount: 'Unmasked' },
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
        },
      ],
      volumes: [{ name: 'host', hostPath: { path: '/zz' } }, { name: 'flex', flexVolume: { driver: 'zz/none' } }],
    },
  };

  // Strings a YAML 1.1 reader (kubectl, gator) would turn into booleans, numbers or timestamps
  // unless the output quotes them.
  const yaml11Traps: PolicyInput = {
    kind: 'SecurityPolicy',
    metadata: { name: 'yaml-1-1-traps' },
    spec: {
      match: { namespaceSelector: { matchNames: ['1:30', 'y', 'on'], labelSelector: { matchLabels: { y: 'n', on: 'off', yes: '1_000' } } } },
      policies: { allowedAppArmor: ['y', 'NO', '2001-12-14', '0755', '~', 'null', '.inf', '0x1f'] },
    },
  };

  test('templates and constraints of random valid policies: Rego compiles, parameters and match validate', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(validPolicy, { minLength: 30, maxLength: 30, selector: (p) => `${p.kind}/${p.metadata!.name as string}` }),
        settingsArb,
        namespacesArb,
        (policies, s, namespaces) => {
          const d = compile(snapshotOf([...policies, yaml11Traps], s, namespaces), assets());
          const invalid = d.policies.filter((p) => !p.valid);
          if (invalid.length > 0) throw new Error(`expected valid policies: ${describeErrors(d)}`);
          const dir = join(work, `run-${runs++}`);
          mkdirSync(dir);
          writeFileSync(join(dir, 'objects.yaml'), renderYaml(withoutExternalData(d.objects)));
          writeFileSync(join(dir, 'pod.yaml'), [pod, noisyPod].map((o) => stringify(o)).join('---\n'));
          const r = run(toolPath('gator'), ['test', '-f', join(dir, 'objects.yaml'), '-f', join(dir, 'pod.yaml'), '-o', 'json']);
          // A YAML error names a line: show it, since the whole file is large.
          const line = Number(/line (\d+)/.exec(r.stderr)?.[1] ?? 0);
          const context = line > 0 ? toYaml(d).split('\n').slice(Math.max(0, line - 4), line + 1).join('\n') : '';
          const report = `gator exit ${r.status}\nstderr: ${r.stderr}\n${context ? `objects.yaml near line ${line}:\n${context}\n` : ''}stdout: ${r.stdout.slice(0, 2000)}`;
          if (r.stderr.trim() !== '' || (r.status !== 0 && r.status !== 1)) throw new Error(report);
          const results = JSON.parse(r.stdout) as { msg?: unknown; constraint?: { kind?: string; metadata?: { name?: string }; spec?: { parameters?: unknown } } }[] | null;
          for (const res of results ?? []) {
            expect(typeof res.msg).toBe('string');
            expect(res.constraint?.kind).toMatch(/^D8/);
            // What gator read from the YAML is what we compiled (no string changed on the way).
            const ours = d.objects.find((o) => o.kind === res.constraint?.kind && o.metadata.name === res.constraint?.metadata?.name);
            expect(ours).toBeDefined();
            expect(res.constraint?.spec?.parameters).toEqual((ours!.spec as { parameters?: unknown }).parameters);
          }
          // A non-zero exit without any result would be an error gator reported some other way.
          if (r.status === 1) expect((results ?? []).length).toBeGreaterThan(0);
        },
      ),
      // Two batches of 30 policies (plus PSS and built-ins): ~400 constraints per gator run.
      { ...params(2), endOnFailure: true },
    );
  });
});
