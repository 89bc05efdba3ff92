// compile() on huge input. A SecurityPolicy of ~520 KB (one matchExpressions values list of
// 130,000 entries) once made compile() throw `RangeError: Maximum call stack size exceeded` and so
// took every policy down. The promise: compile never throws, whatever the size or depth of a
// policy; a huge policy gets its own errors (or compiles), and the other policies of the snapshot
// compile exactly as they do alone. Huge lists are built from fast-check-chosen parameters (length,
// element pattern, place) so that a run costs milliseconds to generate, plus fixed cases; the
// errors must also stay small enough to be reported in a status.
import fc from 'fast-check';
import { compile } from '../../src/compile/index.js';
import { SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../../src/compile/labels.js';
import { labelValue } from '../../src/compile/names.js';
import { defaultCompileSettings } from '../../src/compile/settings.js';
import type { Desired, GeneratedObject, PolicyInput, PolicyOutcome } from '../../src/compile/types.js';
import { desiredStatus } from '../../src/reconcile/status.js';
import { assets } from '../helpers/assets.js';

type Obj = Record<string, unknown>;
type Kind = PolicyInput['kind'];
type Path = (string | number)[];

const settings = defaultCompileSettings();
const HUGE_ORIGIN = 'huge.yaml: document 1';
/** At most this many errors per policy (src/api/validate.ts caps them at 20 plus one summary). */
const MAX_ERRORS = 21;
/**
 * Not a timing test (the benchmarks measure time): a guard against work that grows with the input's
 * size times something else, the bugs this file found (edit distances for 60,000 values, regex
 * compilation of 1 MiB patterns) took minutes. Typical here: well under 1 s; the bound is far
 * above anything a loaded CI machine adds.
 */
const COMPILE_BUDGET_MS = 60_000;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Two policies that must compile the same whatever else is in the snapshot

const good: PolicyInput = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name: 'known-good' },
  spec: { match: { namespaceSelector: { matchNames: ['prod'] } }, policies: { allowHostNetwork: false, allowedHostPaths: [] } },
};
const goodOp: PolicyInput = {
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'OperationPolicy',
  metadata: { name: 'known-good-ops' },
  spec: { match: { namespaceSelector: { matchNames: ['prod'] } }, policies: { allowedRepos: ['registry.example.com/'], requiredProbes: ['livenessProbe'] } },
};

const ownedBy = (d: Desired, kind: Kind, name: string): GeneratedObject[] =>
  d.objects.filter((o) => o.metadata.labels?.[SOURCE_KIND_LABEL] === kind && o.metadata.labels?.[SOURCE_NAME_LABEL] === labelValue(name));
const goodObjects = (d: Desired) => [...ownedBy(d, 'SecurityPolicy', 'known-good'), ...ownedBy(d, 'OperationPolicy', 'known-good-ops')];

let expectedGood: GeneratedObject[];
beforeAll(() => {
  const alone = compile({ settings, policies: [good, goodOp], namespaces: [] }, assets());
  expectedGood = goodObjects(alone);
  expect(expectedGood.map((o) => o.kind).sort()).toEqual(['D8AllowPrivilegeEscalation', 'D8AllowedHostPaths', 'D8AllowedRepos', 'D8HostNetwork', 'D8PrivilegedContainer', 'D8RequiredProbes']);
});

// ---------------------------------------------------------------------------------------------
// Policies and the contract

/** A valid policy of `kind` whose selectors and blocks are there to be blown up. */
function basePolicy(kind: Kind): PolicyInput & { spec: Obj; metadata: Obj } {
  const match = {
    namespaceSelector: { matchNames: ['team-a'], labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } },
    labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['x'] }] },
  };
  const policies: Obj = kind === 'SecurityPolicy'
    ? { fsGroup: { rule: 'MustRunAs', ranges: [{ min: 1, max: 2 }] }, runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1, max: 2 }] }, verifyImageSignatures: [{ reference: 'registry.example.com/*', publicKeys: ['k'] }] }
    : {
      requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['/Pod'] },
      requiredAnnotations: { annotations: [{ key: 'owner' }], watchKinds: ['/Pod'] },
      gpuResourceRestriction: { namespaceLabel: { key: 'gpu' }, gpuResourcePatterns: ['^nvidia\\.com/.*$'] },
    };
  return { apiVersion: 'deckhouse.io/v1alpha1', kind, metadata: { name: 'huge' }, spec: { match, policies }, origin: HUGE_ORIGIN };
}

/** Sets `value` at `path` (inside the policy object), creating objects on the way. */
function setIn(root: Obj, path: Path, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  path.slice(0, -1).forEach((key, i) => {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  node[path[path.length - 1]] = value;
}

function policyWith(kind: Kind, path: Path, value: unknown): PolicyInput {
  const p = basePolicy(kind);
  setIn(p as unknown as Obj, path, value);
  return p;
}

/** `n` elements cycling through `pattern` (cheap to build: the elements are shared). */
const cycle = <T>(pattern: readonly T[], n: number): T[] => Array.from({ length: n }, (_, i) => pattern[i % pattern.length]);

const short = (s: string, max = 200) => (s.length > max ? `${s.slice(0, max)}... (${s.length} characters)` : s);
const describeErrors = (o: PolicyOutcome | undefined) => JSON.stringify(o?.errors.slice(0, 5).map((e) => ({ field: short(e.field), message: short(e.message) })));

/**
 * Compiles `huge` together with the two known-good policies; checks the per-policy contract and
 * that the good ones are untouched. Returns the huge policy's outcome.
 */
function compileAlongside(huge: PolicyInput): PolicyOutcome {
  const started = performance.now();
  const d = compile({ settings, policies: [huge, good, goodOp], namespaces: [] }, assets());
  const took = performance.now() - started;
  const outcome = d.policies.find((p) => p.origin === HUGE_ORIGIN);
  expect(outcome).toBeDefined();
  const o = outcome!;
  if (o.valid) {
    expect(o.errors).toEqual([]);
    expect(o.constraints.length + o.unsupported.length + o.notes.length).toBeGreaterThan(0);
  } else {
    expect(o.errors.length).toBeGreaterThan(0);
    expect(o.errors.length).toBeLessThanOrEqual(MAX_ERRORS);
    for (const e of o.errors) {
      expect(e.field).toMatch(/^(spec|metadata)(\.|\[|$)/);
      expect(typeof e.message).toBe('string');
      expect(e.message.length).toBeGreaterThan(0);
    }
    expect(o.constraints).toEqual([]);
    if (o.name) expect(ownedBy(d, huge.kind, o.name)).toEqual([]);
  }
  for (const g of [good, goodOp]) {
    const gOutcome = d.policies.find((p) => p.kind === g.kind && p.name === g.metadata!.name);
    expect(gOutcome?.valid).toBe(true);
  }
  expect(goodObjects(d)).toEqual(expectedGood);
  if (took > COMPILE_BUDGET_MS) throw new Error(`compile took ${Math.round(took)} ms (budget ${COMPILE_BUDGET_MS} ms); errors: ${describeErrors(o)}`);
  return o;
}

function expectRefused(outcome: PolicyOutcome, field: string, message: string | RegExp): void {
  if (outcome.valid) throw new Error(`expected ${field} to be refused, but the policy compiled`);
  const hit = outcome.errors.find((e) => e.field === field && (typeof message === 'string' ? e.message === message : message.test(e.message)));
  if (!hit) throw new Error(`expected an error at ${field} (${String(message)}), got ${describeErrors(outcome)}`);
}

/** The Ready condition's message must fit the CRD's limit, or the status write itself is refused. */
const CONDITION_MESSAGE_MAX = (() => {
  const status = (assets().schemas.SecurityPolicy.properties as Record<string, Obj>).status;
  const conditions = (status.properties as Record<string, Obj>).conditions;
  return ((conditions.items as Obj).properties as Record<string, { maxLength: number }>).message.maxLength;
})();
/**
 * A status is a report, not a copy of the input: the whole object (spec and status) must stay
 * under etcd's 1.5 MiB, and the spec alone may take most of that.
 */
const STATUS_MAX_BYTES = 64 * 1024;

function expectReportable(outcome: PolicyOutcome): void {
  const status = desiredStatus(outcome, { waiting: 0, failed: [] }, undefined, () => new Date(0));
  const message = status.conditions[0].message;
  if (message.length > CONDITION_MESSAGE_MAX) {
    throw new Error(`Ready condition message is ${message.length} characters (CRD maxLength ${CONDITION_MESSAGE_MAX}): ${short(message)}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(status));
  if (bytes > STATUS_MAX_BYTES) throw new Error(`status is ${bytes} bytes (at most ${STATUS_MAX_BYTES}); errors: ${describeErrors(outcome)}`);
}

// ---------------------------------------------------------------------------------------------
// Where huge things can go

interface ListField {
  kind: Kind;
  path: Path;
  /** Elements of the right shape (valid or not); the run mixes in junk elements too. */
  element: fc.Arbitrary<unknown>;
  /**
   * Longest list to try, when not 200,000: validation compiles every regular expression
   * (allowedRegex, resource name patterns; RE2JS, ~0.4 ms each), so 200,000 of them would take over
   * a minute; 5,000 is still far over the CRD limit.
   */
  maxLength?: number;
}

const anyShortString = fc.oneof(
  fc.constantFrom('', 'a', 'app', '*', 'x*', 'Upper', 'bad value!', 'a'.repeat(70), 'registry.example.com/', 'kernel.*', '/var/log', 'apps/Deployment', 'localhost/p', '(?=x)'),
  fc.string({ maxLength: 40 }),
);
const smallJunk = fc.anything({ maxDepth: 2, maxKeys: 3, withNullPrototype: true, withBoxedValues: true });
const labelKeyish = fc.oneof(fc.constantFrom('app', 'example.com/team', 'bad key', '-x'), fc.string({ maxLength: 20 }));
const range = fc.record({ min: fc.integer({ min: -5, max: 70000 }), max: fc.integer({ min: -5, max: 70000 }) });
const requirement = fc.record({ key: labelKeyish, operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'), values: fc.array(anyShortString, { maxLength: 3 }) }, { requiredKeys: ['key', 'operator'] });
const keyed = fc.record({ key: labelKeyish, allowedRegex: anyShortString }, { requiredKeys: ['key'] });
const toleration = fc.record({ key: anyShortString, operator: fc.constantFrom('Exists', 'Equal'), value: anyShortString, effect: fc.constantFrom('NoSchedule', 'NoExecute') }, { requiredKeys: [] });
const caps = fc.constantFrom('ALL', 'CHOWN', 'NET_ADMIN', 'SYS_ADMIN', 'KILL', 'nope');
const volumes = fc.constantFrom('*', 'none', 'configMap', 'hostPath', 'secret', 'nope');

const SP = ['spec', 'policies'];
const OP = ['spec', 'policies'];
const matchFields = (kind: Kind): ListField[] => [
  { kind, path: ['spec', 'match', 'namespaceSelector', 'matchNames'], element: anyShortString },
  { kind, path: ['spec', 'match', 'namespaceSelector', 'excludeNames'], element: anyShortString },
  { kind, path: ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchExpressions'], element: requirement },
  { kind, path: ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchExpressions', 0, 'values'], element: anyShortString },
  { kind, path: ['spec', 'match', 'labelSelector', 'matchExpressions'], element: requirement },
  { kind, path: ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values'], element: anyShortString },
];
const LIST_FIELDS: ListField[] = [
  ...matchFields('SecurityPolicy'),
  ...matchFields('OperationPolicy'),
  { kind: 'SecurityPolicy', path: [...SP, 'allowedHostPorts'], element: range },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedHostPaths'], element: fc.record({ pathPrefix: anyShortString, readOnly: fc.boolean() }, { requiredKeys: ['pathPrefix'] }) },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedCapabilities'], element: caps },
  { kind: 'SecurityPolicy', path: [...SP, 'requiredDropCapabilities'], element: caps },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedAppArmor'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedFlexVolumes'], element: fc.record({ driver: anyShortString }) },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedUnsafeSysctls'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'forbiddenSysctls'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'fsGroup', 'ranges'], element: range },
  { kind: 'SecurityPolicy', path: [...SP, 'runAsUser', 'ranges'], element: range },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedClusterRoles'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'seccompProfiles', 'allowedProfiles'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'seccompProfiles', 'allowedLocalhostFiles'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'seLinux'], element: fc.record({ level: anyShortString, type: anyShortString }, { requiredKeys: [] }) },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedVolumes'], element: volumes },
  { kind: 'SecurityPolicy', path: [...SP, 'verifyImageSignatures'], element: fc.record({ reference: anyShortString, publicKeys: fc.array(anyShortString, { maxLength: 2 }) }) },
  { kind: 'SecurityPolicy', path: [...SP, 'verifyImageSignatures', 0, 'publicKeys'], element: anyShortString },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedServiceTypes'], element: fc.constantFrom('ClusterIP', 'NodePort', 'Headless') },
  { kind: 'OperationPolicy', path: [...OP, 'allowedRepos'], element: anyShortString },
  { kind: 'OperationPolicy', path: [...OP, 'requiredResources', 'limits'], element: fc.constantFrom('cpu', 'memory', 'gpu') },
  { kind: 'OperationPolicy', path: [...OP, 'disallowedImageTags'], element: anyShortString },
  { kind: 'OperationPolicy', path: [...OP, 'disallowedTolerations'], element: toleration },
  { kind: 'OperationPolicy', path: [...OP, 'disallowedCustomResources'], element: anyShortString, maxLength: 5000 },
  { kind: 'OperationPolicy', path: [...OP, 'gpuResourceRestriction', 'gpuResourcePatterns'], element: anyShortString, maxLength: 5000 },
  { kind: 'OperationPolicy', path: [...OP, 'requiredLabels', 'labels'], element: keyed, maxLength: 5000 },
  { kind: 'OperationPolicy', path: [...OP, 'requiredLabels', 'watchKinds'], element: fc.oneof(fc.constantFrom('/Pod', 'apps/Deployment', 'v1/Pod', 'example.com/Widget'), anyShortString) },
  { kind: 'OperationPolicy', path: [...OP, 'requiredAnnotations', 'annotations'], element: keyed, maxLength: 5000 },
  { kind: 'OperationPolicy', path: [...OP, 'requiredProbes'], element: fc.constantFrom('livenessProbe', 'readinessProbe', 'nope') },
  { kind: 'OperationPolicy', path: [...OP, 'priorityClassNames'], element: anyShortString },
  { kind: 'OperationPolicy', path: [...OP, 'ingressClassNames'], element: anyShortString },
  { kind: 'OperationPolicy', path: [...OP, 'storageClassNames'], element: anyShortString },
];

/** Places that hold a string (or, for `key`, a map key), for 1 MB strings. */
const STRING_FIELDS: { kind: Kind; path: Path; key?: boolean }[] = [
  { kind: 'SecurityPolicy', path: ['metadata', 'name'] },
  { kind: 'OperationPolicy', path: ['spec', 'enforcementAction'] },
  { kind: 'SecurityPolicy', path: ['spec', 'match', 'namespaceSelector', 'matchNames', 0] },
  { kind: 'OperationPolicy', path: ['spec', 'match', 'namespaceSelector', 'excludeNames'] },
  { kind: 'SecurityPolicy', path: ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'key'] },
  { kind: 'OperationPolicy', path: ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values', 0] },
  { kind: 'SecurityPolicy', path: ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchLabels'], key: true },
  { kind: 'OperationPolicy', path: ['spec', 'match', 'labelSelector', 'matchLabels', 'app'] },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedHostPaths', 0, 'pathPrefix'] },
  { kind: 'SecurityPolicy', path: [...SP, 'allowedAppArmor', 0] },
  { kind: 'SecurityPolicy', path: [...SP, 'seLinux', 0, 'level'] },
  { kind: 'SecurityPolicy', path: [...SP, 'verifyImageSignatures', 0, 'publicKeys', 0] },
  { kind: 'SecurityPolicy', path: [...SP, 'verifyImageSignatures', 0, 'ca'] },
  { kind: 'SecurityPolicy', path: [...SP, 'verifyImageSignatures', 0, 'reference'] },
  { kind: 'SecurityPolicy', path: [...SP, 'allowPrivileged'] },
  { kind: 'SecurityPolicy', path: SP, key: true },
  { kind: 'OperationPolicy', path: [...OP, 'allowedRepos', 0] },
  { kind: 'OperationPolicy', path: [...OP, 'requiredLabels', 'labels', 0, 'allowedRegex'] },
  { kind: 'OperationPolicy', path: [...OP, 'requiredAnnotations', 'annotations', 0, 'key'] },
  { kind: 'OperationPolicy', path: [...OP, 'requiredLabels', 'watchKinds', 0] },
  { kind: 'OperationPolicy', path: [...OP, 'disallowedTolerations', 0, 'value'] },
  { kind: 'OperationPolicy', path: [...OP, 'storageClassNames', 0] },
];

function policyWithString(field: (typeof STRING_FIELDS)[number], s: string): PolicyInput {
  return field.key ? policyWith(field.kind, [...field.path, s], 'v') : policyWith(field.kind, field.path, s);
}

/** Unknown fields (and known ones of the wrong type) to hide deep junk in. */
const DEEP_PLACES: { kind: Kind; path: Path }[] = [
  { kind: 'SecurityPolicy', path: [...SP, 'bogusField'] },
  { kind: 'OperationPolicy', path: ['spec', 'bogusField'] },
  { kind: 'SecurityPolicy', path: ['spec', 'match', 'bogusField'] },
  { kind: 'OperationPolicy', path: ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'bogusField'] },
  { kind: 'OperationPolicy', path: [...OP, 'allowedRepos'] },
  { kind: 'SecurityPolicy', path: ['spec', 'match', 'labelSelector', 'matchLabels', 'app'] },
  { kind: 'SecurityPolicy', path: ['metadata', 'annotations'] },
  { kind: 'OperationPolicy', path: ['status'] },
  { kind: 'SecurityPolicy', path: ['bogusTopLevel'] },
];

/** Objects and arrays nested `depth` deep (built iteratively: a recursive builder would overflow first). */
function deep(depth: number, leaf: unknown = 'leaf'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { k: v, n: i } : [v];
  return v;
}

const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);
// endOnFailure: no shrinking; a failing huge case is slow to re-run and already small to read.
const params = (numRuns: number) => ({ seed, numRuns, verbose: true, endOnFailure: true });

// ---------------------------------------------------------------------------------------------

describe('huge lists', () => {
  test('the base policies compile: every refusal below comes from what a case changes', () => {
    for (const kind of ['SecurityPolicy', 'OperationPolicy'] as const) {
      const o = compileAlongside(basePolicy(kind));
      if (!o.valid) throw new Error(`${kind}: ${describeErrors(o)}`);
      expect(o.constraints.length).toBeGreaterThan(0);
    }
  });

  test('the reported policy: 150,000 matchExpressions values are refused at their field path, nothing throws', () => {
    const values = Array.from({ length: 150_000 }, (_, i) => `v${i}`);
    for (const kind of ['SecurityPolicy', 'OperationPolicy'] as const) {
      const o = compileAlongside(policyWith(kind, ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values'], values));
      expectRefused(o, 'spec.match.labelSelector.matchExpressions[0].values', 'must have at most 1024 items');
      const ns = compileAlongside(policyWith(kind, ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchExpressions', 0, 'values'], values));
      expectRefused(ns, 'spec.match.namespaceSelector.labelSelector.matchExpressions[0].values', 'must have at most 1024 items');
    }
  });

  test('100,000 matchNames and excludeNames', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `ns-${i}`);
    const p = policyWith('SecurityPolicy', ['spec', 'match', 'namespaceSelector', 'matchNames'], names);
    setIn(p as unknown as Obj, ['spec', 'match', 'namespaceSelector', 'excludeNames'], names);
    const o = compileAlongside(p);
    expectRefused(o, 'spec.match.namespaceSelector.matchNames', 'must have at most 1024 items');
    expectRefused(o, 'spec.match.namespaceSelector.excludeNames', 'must have at most 1024 items');
  });

  test('200,000 allowedRepos, every other one empty: refused with a capped list of errors', () => {
    const o = compileAlongside(policyWith('OperationPolicy', [...OP, 'allowedRepos'], cycle(['registry.example.com/', ''], 200_000)));
    expectRefused(o, 'spec.policies.allowedRepos', 'must have at most 1024 items');
    expectRefused(o, 'spec.policies.allowedRepos[1]', /is empty/);
    expect(o.errors).toHaveLength(MAX_ERRORS);
    expect(o.errors[MAX_ERRORS - 1].message).toMatch(/and \d+ more errors not shown/);
  });

  test('100,000 requiredLabels (some with regexes, some of those invalid) and 100,000 watchKinds', () => {
    // One entry in 500 has a regex: each is compiled (see ListField.maxLength).
    const labels = Array.from({ length: 100_000 }, (_, i) => (i % 1000 === 1 ? { key: 'tier', allowedRegex: '^(web|db)$' } : i % 1000 === 2 ? { key: 'x', allowedRegex: '(?=lookahead)' } : { key: `team-${i}` }));
    const p = policyWith('OperationPolicy', [...OP, 'requiredLabels', 'labels'], labels);
    setIn(p as unknown as Obj, [...OP, 'requiredLabels', 'watchKinds'], cycle(['/Pod', 'apps/Deployment', 'v1/Pod'], 100_000));
    const o = compileAlongside(p);
    expectRefused(o, 'spec.policies.requiredLabels.labels', 'must have at most 64 items');
    expectRefused(o, 'spec.policies.requiredLabels.labels[2].allowedRegex', /not a valid RE2 regular expression/);
    expectRefused(o, 'spec.policies.requiredLabels.watchKinds', 'must have at most 1024 items');
    expect(o.errors.length).toBeLessThanOrEqual(MAX_ERRORS);
  });

  test('50,000 invalid label values: at most 21 errors, the last one counting the rest', () => {
    const o = compileAlongside(policyWith('SecurityPolicy', ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values'], cycle(['bad value!'], 50_000)));
    expect(o.errors).toHaveLength(MAX_ERRORS);
    expect(o.errors[MAX_ERRORS - 1].message).toMatch(/and \d+ more errors not shown/);
  });

  test('60,000 values outside an enum', () => {
    const o = compileAlongside(policyWith('SecurityPolicy', [...SP, 'allowedCapabilities'], cycle(['NOPE', 'CAP_CHOWN'], 60_000)));
    expectRefused(o, 'spec.policies.allowedCapabilities', 'must have at most 64 items');
    expectRefused(o, 'spec.policies.allowedCapabilities[1]', /did you mean CHOWN\?/);
    expect(o.errors).toHaveLength(MAX_ERRORS);
  });

  test('a matchLabels map of 30,000 keys', () => {
    const labels = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`key-${i}`, 'v']));
    const o = compileAlongside(policyWith('OperationPolicy', ['spec', 'match', 'labelSelector', 'matchLabels'], labels));
    // ajv's own wording for maxProperties (src/api/validate.ts formatError has no case for it).
    expectRefused(o, 'spec.match.labelSelector.matchLabels', /64/);
  });

  test('every list at the CRD limit still compiles (the limits agree with the rules the schema cannot express)', () => {
    const dnsPrefix = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
    expect(dnsPrefix).toHaveLength(253);
    const longKey = `${dnsPrefix}/${'k'.repeat(63)}`;
    const values = Array.from({ length: 1024 }, (_, i) => `v${i}`.padEnd(63, 'x'));
    const selector = { matchExpressions: Array.from({ length: 64 }, (_, i) => (i === 0 ? { key: longKey, operator: 'In', values } : { key: `key-${i}`, operator: 'Exists' })) };
    const names = Array.from({ length: 1024 }, (_, i) => `*${`team-${i}`.padEnd(63, 'x')}*`);
    const match = { namespaceSelector: { matchNames: names, excludeNames: names.slice(1).map((n) => n.slice(1, -1)), labelSelector: selector }, labelSelector: selector };
    const sp: PolicyInput = {
      kind: 'SecurityPolicy', metadata: { name: 'huge' }, origin: HUGE_ORIGIN,
      spec: {
        match,
        policies: {
          allowedHostPaths: Array.from({ length: 256 }, (_, i) => ({ pathPrefix: `/data/${i}/`.padEnd(4096, 'p') })),
          allowedUnsafeSysctls: Array.from({ length: 1024 }, (_, i) => `net.custom.s${i}`.padEnd(255, 'x') + '*'),
          allowedClusterRoles: Array.from({ length: 1024 }, (_, i) => `role-${i}`.padEnd(253, 'r')),
          runAsUser: { rule: 'MustRunAs', ranges: Array.from({ length: 256 }, (_, i) => ({ min: i * 10 + 1, max: i * 10 + 5 })) },
        },
      },
    };
    const spOutcome = compileAlongside(sp);
    if (!spOutcome.valid) throw new Error(describeErrors(spOutcome));
    expect(spOutcome.constraints.map((c) => c.kind)).toEqual(expect.arrayContaining(['D8AllowedHostPaths', 'D8AllowedSysctls', 'D8AllowedClusterRoles', 'D8AllowedUsers']));
    const op: PolicyInput = {
      kind: 'OperationPolicy', metadata: { name: 'huge' }, origin: HUGE_ORIGIN,
      spec: {
        match,
        policies: {
          allowedRepos: Array.from({ length: 1024 }, (_, i) => `registry-${i}.example.com/`.padEnd(1024, 'r')),
          requiredLabels: {
            labels: Array.from({ length: 64 }, (_, i) => ({ key: `${dnsPrefix}/${`l${i}`.padEnd(63, 'x')}`, allowedRegex: `^(${`v${i}`.padEnd(1018, 'x')})$` })),
            watchKinds: Array.from({ length: 1024 }, (_, i) => `${dnsPrefix}/${`Kind${i}`.padEnd(63, 'x')}`),
          },
          priorityClassNames: Array.from({ length: 256 }, (_, i) => `pc-${i}`.padEnd(253, 'x')),
        },
      },
    };
    const opOutcome = compileAlongside(op);
    if (!opOutcome.valid) throw new Error(describeErrors(opOutcome));
    expect(opOutcome.constraints.map((c) => c.kind)).toEqual(expect.arrayContaining(['D8AllowedRepos', 'D8RequiredLabels', 'D8PriorityClass']));
  });

  test('property: a huge list in any list field, of any length and element pattern', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIST_FIELDS).chain((field) =>
          fc.tuple(
            fc.constant(field),
            // Elements cycle through a short pattern drawn for this field (junk, sometimes).
            fc.array(fc.oneof({ weight: 4, arbitrary: field.element }, { weight: 1, arbitrary: smallJunk }), { minLength: 1, maxLength: 4 }),
            fc.oneof(fc.integer({ min: 0, max: 1100 }), fc.integer({ min: 1100, max: field.maxLength ?? 200_000 })),
          ),
        ),
        ([field, pattern, n]) => {
          compileAlongside(policyWith(field.kind, field.path, cycle(pattern, n)));
        },
      ),
      params(10),
    );
  });

  test('property: random (not cycled) lists of up to 3,000 elements', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIST_FIELDS).chain((field) => fc.tuple(fc.constant(field), fc.array(fc.oneof({ weight: 6, arbitrary: field.element }, { weight: 1, arbitrary: smallJunk }), { minLength: 500, maxLength: 3000 }))),
        ([field, list]) => {
          compileAlongside(policyWith(field.kind, field.path, list));
        },
      ),
      params(8),
    );
  });
});

describe('huge strings', () => {
  const MB = 'a'.repeat(MiB);

  test.each([
    ['allowedRepos[0]', 'OperationPolicy', [...OP, 'allowedRepos', 0], 'spec.policies.allowedRepos[0]', 'must be at most 1024 characters long'],
    ['a matchLabels value', 'OperationPolicy', ['spec', 'match', 'labelSelector', 'matchLabels', 'app'], 'spec.match.labelSelector.matchLabels.app', 'must be at most 63 characters long'],
    ['a matchExpressions key', 'SecurityPolicy', ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'key'], 'spec.match.labelSelector.matchExpressions[0].key', 'must be at most 317 characters long'],
    ['a matchNames entry', 'SecurityPolicy', ['spec', 'match', 'namespaceSelector', 'matchNames', 0], 'spec.match.namespaceSelector.matchNames[0]', 'must be at most 65 characters long'],
    ['a host path', 'SecurityPolicy', [...SP, 'allowedHostPaths', 0, 'pathPrefix'], 'spec.policies.allowedHostPaths[0].pathPrefix', 'must be at most 4096 characters long'],
    ['a public key', 'SecurityPolicy', [...SP, 'verifyImageSignatures', 0, 'publicKeys', 0], 'spec.policies.verifyImageSignatures[0].publicKeys[0]', 'must be at most 16384 characters long'],
    ['a CA bundle', 'SecurityPolicy', [...SP, 'verifyImageSignatures', 0, 'ca'], 'spec.policies.verifyImageSignatures[0].ca', 'must be at most 65536 characters long'],
    ['an allowedRegex', 'OperationPolicy', [...OP, 'requiredLabels', 'labels', 0, 'allowedRegex'], 'spec.policies.requiredLabels.labels[0].allowedRegex', 'must be at most 1024 characters long'],
    ['a watchKind', 'OperationPolicy', [...OP, 'requiredLabels', 'watchKinds', 0], 'spec.policies.requiredLabels.watchKinds[0]', 'must be at most 317 characters long'],
    ['an SELinux level', 'SecurityPolicy', [...SP, 'seLinux', 0, 'level'], 'spec.policies.seLinux[0].level', 'must be at most 8192 characters long'],
  ] as const)('a 1 MiB string in %s is refused by its CRD limit', (_what, kind, path, field, message) => {
    const o = compileAlongside(policyWith(kind, [...path], MB));
    expectRefused(o, field, message);
  });

  test.each([
    ['the policy name', ['metadata', 'name'], 'metadata.name', /at most 63 characters/],
    ['enforcementAction (an enum)', ['spec', 'enforcementAction'], 'spec.enforcementAction', /must be one of Deny, Warn, Dryrun/],
    ['a boolean field', [...SP, 'allowPrivileged'], 'spec.policies.allowPrivileged', /must be a boolean/],
  ] as const)('a 1 MiB string as %s', (_what, path, field, message) => {
    expectRefused(compileAlongside(policyWith('SecurityPolicy', [...path], MB)), field, message);
  });

  test('property: a string of 100 KiB to 1 MiB anywhere (values and map keys) gives per-policy errors', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRING_FIELDS),
        fc.integer({ min: 100 * 1024, max: MiB }),
        fc.constantFrom('a', 'é', '😀', '"', '\\', '\u0000', '(', '*', '/'),
        (field, n, unit) => {
          compileAlongside(policyWithString(field, unit.repeat(n)));
        },
      ),
      params(10),
    );
  });
});

describe('deep junk', () => {
  // 10,000 is the nesting depth the Kubernetes API server's JSON decoder accepts.
  test.each(DEEP_PLACES.map((p) => [p.path.join('.'), p] as const))('nested 10,000 deep at %s', (_where, place) => {
    compileAlongside(policyWith(place.kind, place.path, deep(10_000)));
  });

  test('property: junk nested 100 to 10,000 deep, in unknown fields and in fields of the wrong type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEEP_PLACES), fc.integer({ min: 100, max: 10_000 }), smallJunk, (place, depth, leaf) => {
        compileAlongside(policyWith(place.kind, place.path, deep(depth, leaf)));
      }),
      params(10),
    );
  });
});

describe('errors of huge input stay reportable (Ready condition within its CRD maxLength, status <= 64 KiB)', () => {
  // 100 KiB is over every limit that matters here; '(' makes every regular expression invalid and
  // every name malformed: the worst case for messages that quote the value.
  test.each(STRING_FIELDS.map((f) => [`${f.path.join('.')}${f.key ? ' (map key)' : ''}`, f] as const))('100 KiB string at %s', (_where, field) => {
    expectReportable(compileAlongside(policyWithString(field, '('.repeat(100 * 1024))));
  });

  test('150,000 bad entries in a list', () => {
    expectReportable(compileAlongside(policyWith('OperationPolicy', [...OP, 'allowedRepos'], cycle([''], 150_000))));
    expectReportable(compileAlongside(policyWith('SecurityPolicy', ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values'], cycle(['bad value!', 'x'.repeat(10_000)], 150_000))));
  });
});
