// The size limits of crds/*.yaml against a real kube-apiserver: the CRDs install (so their schemas
// and CEL rules pass the API server's checks, CEL cost estimates included) and are stored as
// written; every documented example policy and a policy with every limited field at its limit are
// accepted and stored unchanged; one entry or character more is refused with the field path, as
// is the ~520 KB policy (130,000 selector values) that once crashed compile(). The client-side
// validation (ajv over the same schemas) refuses the same objects at the same field paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRD_FILES, validatePolicy } from '../../src/api/validate.js';
import type { PolicyKind } from '../../src/api/types.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startControlPlane, type ControlPlane } from '../harness/control-plane.js';
import { installCrds } from '../harness/operator-env.js';
import { schemas } from '../helpers/assets.js';
import { eventually, rawRequest, type RawResponse } from '../helpers/kube.js';
import { policyPlural } from '../helpers/policies.js';
import { seedPolicies } from '../helpers/seed.js';

type Obj = Record<string, unknown>;
type Policy = { apiVersion: string; kind: PolicyKind; metadata: { name: string }; spec: Obj };
interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { reason: string; message: string; field: string }[] };
}

let cp: ControlPlane;

const path = (kind: PolicyKind, name?: string) => `/apis/deckhouse.io/v1alpha1/${policyPlural(kind)}${name ? `/${name}` : ''}`;
/** Creates as `kubectl create` does (strict field validation: nothing is silently dropped). */
const create = (p: Policy): Promise<RawResponse> => rawRequest(cp.kubeConfig, 'POST', `${path(p.kind)}?fieldValidation=Strict`, p);
const show = (r: RawResponse) => `HTTP ${r.status}: ${r.body.length > 3000 ? `${r.body.slice(0, 3000)}...` : r.body}`;

beforeAll(async () => {
  cp = await startControlPlane();
  await installCrds(cp);
  // Established is not yet served everywhere: wait until both resources list.
  for (const kind of ['OperationPolicy', 'SecurityPolicy'] as const) {
    await eventually(`${kind} served`, async () => (await rawRequest(cp.kubeConfig, 'GET', path(kind))).status === 200);
  }
}, 180000);

afterAll(async () => {
  await cp?.stop();
}, 60000);

function onFailure(err: unknown): never {
  throw new Error(`${String(err)}\n${cp.logTails()}`, { cause: err });
}

/** The spec the client-side validation produces (defaults applied); the object must be valid. */
function clientSpec(p: Policy): Obj {
  const r = validatePolicy(p, schemas());
  if (!r.ok) throw new Error(`${p.kind}/${p.metadata.name} is refused client-side: ${JSON.stringify(r.errors.slice(0, 5))}`);
  return r.policy.spec as unknown as Obj;
}

/** Creates `p`, expects it accepted and stored exactly as the client-side validation reads it. */
async function expectAccepted(p: Policy): Promise<void> {
  const expected = clientSpec(p);
  const r = await create(p);
  if (r.status !== 201) throw new Error(`${p.kind}/${p.metadata.name} was refused: ${show(r)}`);
  const stored = (await rawRequest(cp.kubeConfig, 'GET', path(p.kind, p.metadata.name))).json<{ spec: Obj }>();
  expect(stored.spec).toEqual(expected);
}

/** Creates `p`, expects a 422 naming `field` with `reason`, and the client-side validation to refuse it too. */
async function expectRefused(p: Policy, field: string, reason: string, message?: RegExp): Promise<Status> {
  const r = await create(p);
  if (r.status !== 422) throw new Error(`expected 422 for ${field}, got ${show(r)}`);
  const status = r.json<Status>();
  const cause = status.details?.causes?.find((c) => c.field === field && c.reason === reason);
  if (!cause) throw new Error(`expected a ${reason} cause at ${field}, got ${JSON.stringify(status.details?.causes)}`);
  if (message) expect(cause.message).toMatch(message);
  expect(status.message).toContain(field);
  // Nothing was stored.
  expect((await rawRequest(cp.kubeConfig, 'GET', path(p.kind, p.metadata.name))).status).toBe(404);
  const client = validatePolicy(p, schemas());
  expect(client.ok).toBe(false);
  return status;
}

// ---------------------------------------------------------------------------------------------
// Objects

const fill = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
/** A DNS subdomain of exactly 253 characters (the longest label-key prefix and API group). */
const DNS_253 = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
const LABEL_KEY_317 = `${DNS_253}/${'k'.repeat(63)}`;
const LABEL_VALUE_63 = 'v'.repeat(63);

function policy(kind: PolicyKind, name: string, policies: Obj, match: Obj = { namespaceSelector: { matchNames: ['default'] } }): Policy {
  return { apiVersion: 'deckhouse.io/v1alpha1', kind, metadata: { name }, spec: { match, policies } };
}

/** A selector with every list and string at its limit. */
const selectorAtLimit = () => ({
  matchLabels: Object.fromEntries(fill(64, (i) => (i === 0 ? [LABEL_KEY_317, LABEL_VALUE_63] : [`label-${i}`, 'x']))),
  matchExpressions: fill(64, (i) =>
    i === 0 ? { key: LABEL_KEY_317, operator: 'In', values: fill(1024, (j) => (j === 0 ? LABEL_VALUE_63 : `value-${j}`)) } : { key: `key-${i}`, operator: 'Exists' },
  ),
});

const matchAtLimit = () => ({
  namespaceSelector: {
    // 65: a 63-character name between two "*".
    matchNames: fill(1024, (i) => (i === 0 ? `*${'n'.repeat(63)}*` : `team-${i}`)),
    excludeNames: fill(1024, (i) => `team-${i}-canary`),
    labelSelector: selectorAtLimit(),
  },
  labelSelector: selectorAtLimit(),
});

function securityAtLimit(name: string): Policy {
  const CAPS = ['CHOWN', 'KILL', 'NET_BIND_SERVICE', 'SETUID'];
  return policy('SecurityPolicy', name, {
    allowedHostPorts: fill(256, (i) => ({ min: i * 10, max: i * 10 + 5 })),
    allowedHostPaths: fill(256, (i) => ({ pathPrefix: i === 0 ? `/${'p'.repeat(4095)}` : `/data/${i}`, readOnly: i % 2 === 0 })),
    allowedCapabilities: fill(64, (i) => CAPS[i % CAPS.length]),
    requiredDropCapabilities: fill(64, () => 'ALL'),
    allowedAppArmor: fill(256, (i) => (i === 0 ? `localhost/${'a'.repeat(4096)}` : `localhost/profile-${i}`)),
    allowedFlexVolumes: fill(256, (i) => ({ driver: i === 0 ? `${'v'.repeat(511)}/${'d'.repeat(512)}` : `vendor/driver-${i}` })),
    allowedUnsafeSysctls: fill(1024, (i) => (i === 0 ? `net.${'s'.repeat(251)}*` : `net.custom.s${i}`)),
    forbiddenSysctls: fill(1024, (i) => `kernel.f${i}*`),
    runAsUser: { rule: 'MustRunAs', ranges: fill(256, (i) => ({ min: i * 10 + 1, max: i * 10 + 5 })) },
    allowedClusterRoles: fill(1024, (i) => (i === 0 ? 'r'.repeat(253) : `role-${i}`)),
    seccompProfiles: {
      allowedProfiles: fill(256, (i) => (i === 0 ? `localhost/${'f'.repeat(4096)}` : 'RuntimeDefault')),
      allowedLocalhostFiles: fill(256, (i) => (i === 0 ? 'f'.repeat(4096) : `profiles/p${i}.json`)),
    },
    seLinux: fill(256, (i) => (i === 0 ? { level: 'l'.repeat(8192), role: 'r'.repeat(1024), type: 't'.repeat(1024), user: 'u'.repeat(1024) } : { type: `type_${i}_t` })),
    allowedVolumes: fill(64, () => 'configMap'),
    verifyImageSignatures: fill(256, (i) =>
      i === 0
        ? { reference: `${'r'.repeat(1023)}*`, publicKeys: fill(64, (j) => (j === 0 ? 'k'.repeat(16384) : `key-${j}`)), dockerCfg: 'd'.repeat(65536), ca: 'c'.repeat(65536) }
        : { reference: `registry-${i}.example.com/*`, publicKeys: ['key'] },
    ),
    allowedServiceTypes: fill(16, () => 'ClusterIP'),
  }, matchAtLimit());
}

function operationAtLimit(name: string): Policy {
  const kinds = fill(1024, (i) => (i === 0 ? `${DNS_253}/K${'x'.repeat(62)}` : `example.com/Kind${i}`));
  return policy('OperationPolicy', name, {
    allowedRepos: fill(1024, (i) => (i === 0 ? `registry.example.com/${'r'.repeat(1003)}` : `registry-${i}.example.com/`)),
    requiredResources: { limits: fill(16, (i) => (i % 2 ? 'cpu' : 'memory')), requests: fill(16, () => 'cpu') },
    disallowedImageTags: fill(1024, (i) => (i === 0 ? 't'.repeat(128) : `v${i}`)),
    disallowedTolerations: fill(256, (i) => (i === 0 ? { key: LABEL_KEY_317, operator: 'Equal', value: LABEL_VALUE_63, effect: 'NoSchedule' } : { key: `taint-${i}` })),
    disallowedCustomResources: fill(64, (i) => (i === 0 ? `^${'x'.repeat(1023)}` : `example.com/r${i}`)),
    gpuResourceRestriction: { namespaceLabel: { key: LABEL_KEY_317, value: LABEL_VALUE_63 }, gpuResourcePatterns: fill(64, (i) => (i === 0 ? `^${'g'.repeat(1023)}` : `^gpu-${i}$`)) },
    requiredLabels: { labels: fill(64, (i) => (i === 0 ? { key: LABEL_KEY_317, allowedRegex: `^(${'a'.repeat(1020)})$` } : { key: `label-${i}` })), watchKinds: kinds },
    requiredAnnotations: { annotations: fill(64, (i) => (i === 0 ? { key: LABEL_KEY_317, allowedRegex: `^${'b'.repeat(1023)}` } : { key: `annotation-${i}` })), watchKinds: kinds },
    requiredProbes: fill(16, () => 'livenessProbe'),
    priorityClassNames: fill(256, (i) => (i === 0 ? 'p'.repeat(253) : `priority-${i}`)),
    ingressClassNames: fill(256, (i) => (i === 0 ? 'i'.repeat(253) : `ingress-${i}`)),
    storageClassNames: fill(256, (i) => (i === 0 ? 's'.repeat(253) : `storage-${i}`)),
  }, matchAtLimit());
}

/** `obj` with `value` set at `at` (a copy). */
function withValue(p: Policy, name: string, at: (string | number)[], value: unknown): Policy {
  const copy = structuredClone(p);
  copy.metadata.name = name;
  let node = copy as unknown as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at[at.length - 1]] = value;
  return copy;
}

// ---------------------------------------------------------------------------------------------

describe('CRDs with size limits on a real API server', () => {
  test('the CRDs are stored as written: every limit and CEL rule was accepted (CEL cost estimates included)', async () => {
    try {
      for (const file of [...Object.values(CRD_FILES), 'crds/moduleconfigs.deckhouse.io.yaml']) {
        const crd = parse(readFileSync(join(packageRoot(), file), 'utf8')) as { metadata: { name: string }; spec: { versions: { schema: { openAPIV3Schema: Obj } }[] } };
        // Raw wire JSON: client-node's model renames keys such as x-kubernetes-validations.
        const r = await rawRequest(cp.kubeConfig, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
        expect(r.status).toBe(200);
        const stored = r.json<{ spec: { versions: { schema: { openAPIV3Schema: Obj } }[] } }>();
        // Through JSON: the file's YAML anchors become plain copies, as kubectl sends them.
        const written = JSON.parse(JSON.stringify(crd.spec.versions[0].schema.openAPIV3Schema)) as Obj;
        expect(stored.spec.versions[0].schema.openAPIV3Schema).toEqual(written);
      }
    } catch (err) {
      onFailure(err);
    }
  });

  test('every documented example policy is accepted and stored as the client-side validation reads it', async () => {
    try {
      const seeds = seedPolicies();
      expect(seeds.length).toBeGreaterThanOrEqual(5);
      for (const seed of seeds) await expectAccepted(seed as unknown as Policy);
    } catch (err) {
      onFailure(err);
    }
  });

  test('policies with every limited list and string at its limit are accepted and stored unchanged', async () => {
    try {
      await expectAccepted(securityAtLimit('sp-at-limit'));
      await expectAccepted(operationAtLimit('op-at-limit'));
    } catch (err) {
      onFailure(err);
    }
  }, 60000);

  test('the reported ~520 KB SecurityPolicy (130,000 selector values) is refused at its field path', async () => {
    try {
      const values = fill(130_000, (i) => `v${i}`);
      const p = policy('SecurityPolicy', 'reported', {}, { labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values }] } });
      expect(JSON.stringify(p).length).toBeGreaterThan(500_000);
      const status = await expectRefused(p, 'spec.match.labelSelector.matchExpressions[0].values', 'FieldValueTooMany', /must have at most 1024 items/);
      // Short, as a refusal should be: no echo of the 130,000 values.
      expect(status.message.length).toBeLessThan(2000);
    } catch (err) {
      onFailure(err);
    }
  }, 60000);

  // [case, path to change (in the at-limit policy), new value, refused field, API server reason, message]
  const spOverLimit: [string, (string | number)[], unknown, string, string, RegExp][] = [
    ['1,025 selector values', ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'values'], fill(1025, (i) => `v${i}`),
      'spec.match.labelSelector.matchExpressions[0].values', 'FieldValueTooMany', /at most 1024 items/],
    ['65 matchExpressions', ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchExpressions'], fill(65, (i) => ({ key: `k${i}`, operator: 'Exists' })),
      'spec.match.namespaceSelector.labelSelector.matchExpressions', 'FieldValueTooMany', /at most 64 items/],
    ['1,025 matchNames', ['spec', 'match', 'namespaceSelector', 'matchNames'], fill(1025, (i) => `ns-${i}`),
      'spec.match.namespaceSelector.matchNames', 'FieldValueTooMany', /at most 1024 items/],
    ['a 66-character namespace glob', ['spec', 'match', 'namespaceSelector', 'excludeNames', 0], `*${'n'.repeat(64)}*`,
      'spec.match.namespaceSelector.excludeNames[0]', 'FieldValueTooLong', /may not be more than 65 bytes/],
    ['a 318-character matchExpressions key', ['spec', 'match', 'labelSelector', 'matchExpressions', 0, 'key'], `${LABEL_KEY_317}k`,
      'spec.match.labelSelector.matchExpressions[0].key', 'FieldValueTooLong', /may not be more than 317 bytes/],
    ['a 4,107-character AppArmor profile', ['spec', 'policies', 'allowedAppArmor', 0], `localhost/${'a'.repeat(4097)}`,
      'spec.policies.allowedAppArmor[0]', 'FieldValueTooLong', /may not be more than 4106 bytes/],
    ['257 allowedHostPaths', ['spec', 'policies', 'allowedHostPaths'], fill(257, (i) => ({ pathPrefix: `/p${i}` })),
      'spec.policies.allowedHostPaths', 'FieldValueTooMany', /at most 256 items/],
    ['a public key over 16 KiB', ['spec', 'policies', 'verifyImageSignatures', 0, 'publicKeys', 0], 'k'.repeat(16385),
      'spec.policies.verifyImageSignatures[0].publicKeys[0]', 'FieldValueTooLong', /may not be more than 16384 bytes/],
    ['a CA bundle over 64 KiB', ['spec', 'policies', 'verifyImageSignatures', 0, 'ca'], 'c'.repeat(65537),
      'spec.policies.verifyImageSignatures[0].ca', 'FieldValueTooLong', /may not be more than 65536 bytes/],
    ['65 capabilities', ['spec', 'policies', 'allowedCapabilities'], fill(65, () => 'CHOWN'),
      'spec.policies.allowedCapabilities', 'FieldValueTooMany', /at most 64 items/],
  ];
  test.each(spOverLimit.map((c, i) => [...c, i] as const))('SecurityPolicy: %s is refused with the field path', async (_what, at, value, field, reason, message, i) => {
    try {
      await expectRefused(withValue(securityAtLimit('x'), `sp-over-limit-${i}`, at, value), field, reason, message);
    } catch (err) {
      onFailure(err);
    }
  }, 60000);

  const opOverLimit: [string, (string | number)[], unknown, string, string, RegExp][] = [
    ['1,025 allowedRepos', ['spec', 'policies', 'allowedRepos'], fill(1025, (i) => `registry-${i}.example.com/`),
      'spec.policies.allowedRepos', 'FieldValueTooMany', /at most 1024 items/],
    ['a 1,025-character repository', ['spec', 'policies', 'allowedRepos', 0], `registry.example.com/${'r'.repeat(1004)}`,
      'spec.policies.allowedRepos[0]', 'FieldValueTooLong', /may not be more than 1024 bytes/],
    ['65 required labels', ['spec', 'policies', 'requiredLabels', 'labels'], fill(65, (i) => ({ key: `l${i}` })),
      'spec.policies.requiredLabels.labels', 'FieldValueTooMany', /at most 64 items/],
    // watchKinds is one anchored schema in the file: the limit holds in both places.
    ['1,025 watchKinds of requiredAnnotations', ['spec', 'policies', 'requiredAnnotations', 'watchKinds'], fill(1025, (i) => `example.com/Kind${i}`),
      'spec.policies.requiredAnnotations.watchKinds', 'FieldValueTooMany', /at most 1024 items/],
    ['a 1,025-character allowedRegex', ['spec', 'policies', 'requiredAnnotations', 'annotations', 0, 'allowedRegex'], `^${'b'.repeat(1024)}`,
      'spec.policies.requiredAnnotations.annotations[0].allowedRegex', 'FieldValueTooLong', /may not be more than 1024 bytes/],
    ['65 custom resource patterns', ['spec', 'policies', 'disallowedCustomResources'], fill(65, (i) => `^example.com/r${i}$`),
      'spec.policies.disallowedCustomResources', 'FieldValueTooMany', /at most 64 items/],
    ['a 129-character image tag', ['spec', 'policies', 'disallowedImageTags', 0], 't'.repeat(129),
      'spec.policies.disallowedImageTags[0]', 'FieldValueTooLong', /may not be more than 128 bytes/],
    ['a 64-character toleration value', ['spec', 'policies', 'disallowedTolerations', 0, 'value'], `${LABEL_VALUE_63}v`,
      'spec.policies.disallowedTolerations[0].value', 'FieldValueTooLong', /may not be more than 63 bytes/],
    ['65 matchLabels', ['spec', 'match', 'namespaceSelector', 'labelSelector', 'matchLabels'], Object.fromEntries(fill(65, (i) => [`l${i}`, 'v'])),
      'spec.match.namespaceSelector.labelSelector.matchLabels', 'FieldValueTooMany', /must have at most 64 items/],
    ['a 64-character matchLabels value', ['spec', 'match', 'labelSelector', 'matchLabels'], { app: `${LABEL_VALUE_63}v` },
      'spec.match.labelSelector.matchLabels.app', 'FieldValueTooLong', /may not be more than 63 bytes/],
    // Map keys have no maxLength: a CEL rule (bounded by maxProperties) checks them.
    ['a 318-character matchLabels key', ['spec', 'match', 'labelSelector', 'matchLabels'], { [`${LABEL_KEY_317}k`]: 'v' },
      'spec.match.labelSelector.matchLabels', 'FieldValueInvalid', /label keys may have at most 317 characters/],
  ];
  test.each(opOverLimit.map((c, i) => [...c, i] as const))('OperationPolicy: %s is refused with the field path', async (_what, at, value, field, reason, message, i) => {
    try {
      await expectRefused(withValue(operationAtLimit('x'), `op-over-limit-${i}`, at, value), field, reason, message);
    } catch (err) {
      onFailure(err);
    }
  }, 60000);

  test('client-side validation refuses the same objects at the same field paths', () => {
    const cases = [
      ...spOverLimit.map((c) => [securityAtLimit('x'), ...c] as const),
      ...opOverLimit.map((c) => [operationAtLimit('x'), ...c] as const),
    ];
    for (const [base, what, at, value, field] of cases) {
      const r = validatePolicy(withValue(base, 'x', at, value), schemas());
      if (r.ok) throw new Error(`${what}: accepted client-side`);
      // The CEL rule on matchLabels keys is the API server's; the client checks keys itself, per key.
      const want = field === 'spec.match.labelSelector.matchLabels' ? `${field}[${LABEL_KEY_317}k]` : field;
      if (!r.errors.some((e) => e.field === want)) throw new Error(`${what}: no client-side error at ${want}: ${JSON.stringify(r.errors.slice(0, 5))}`);
    }
  });
});
