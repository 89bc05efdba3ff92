// API schemas and validation: the seed document's policies validate, invalid inputs give precise
// field paths and messages, defaults are applied to a copy, settings merge over defaults, and the
// CRDs are structural (what a real API server requires).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { defaultSettings, type FieldError } from '../../src/api/types.js';
import {
  CRD_FILES,
  RESERVED_POLICY_NAME_PREFIXES,
  checkPolicyName,
  checkReservedName,
  fieldPath,
  validatePolicy,
  validateSettings,
} from '../../src/api/validate.js';
import { packageRoot } from '../../src/util/package-root.js';
import { schemas } from '../helpers/assets.js';
import { loadCrdSchema } from '../../src/cli/assets.js';

type Obj = Record<string, unknown>;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function errorsOf(obj: unknown): FieldError[] {
  const r = validatePolicy(obj, schemas());
  if (r.ok) throw new Error('expected validation to fail, but it passed');
  return r.errors;
}

function expectValid(obj: unknown) {
  const r = validatePolicy(obj, schemas());
  if (!r.ok) throw new Error('expected a valid policy, got:\n' + r.errors.map((e) => `  ${e.field}: ${e.message}`).join('\n'));
  return r.policy;
}

// ---------------------------------------------------------------------------------------------

describe('seed document policies', () => {
  const seedPath = join(packageRoot(), '../shared/seed/security-policies.md');
  const blocks = [...readFileSync(seedPath, 'utf8').matchAll(/^[ \t]*```ya?ml[ \t]*\n([\s\S]*?)^[ \t]*```/gm)].map((m) => m[1]);
  const policies = blocks
    .flatMap((b) => parseAllDocuments(b).map((d) => d.toJS() as Obj | null))
    .filter((o): o is Obj => !!o && (o.kind === 'OperationPolicy' || o.kind === 'SecurityPolicy'));

  test('the seed has OperationPolicy and SecurityPolicy examples', () => {
    expect(policies.filter((p) => p.kind === 'OperationPolicy').length).toBeGreaterThanOrEqual(1);
    expect(policies.filter((p) => p.kind === 'SecurityPolicy').length).toBeGreaterThanOrEqual(4);
  });

  test.each(policies.map((p) => [`${String(p.kind)}/${String((p.metadata as Obj).name)}`, p] as const))('%s validates', (_name, p) => {
    const policy = expectValid(p);
    expect(policy.spec.enforcementAction).toBeDefined();
  });
});

// ---------------------------------------------------------------------------------------------

const sp = (policies: Obj, extra: Obj = {}): Obj => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name: 'test' },
  spec: { policies, match: { namespaceSelector: { matchNames: ['app-*'] } }, ...extra },
});
const op = (policies: Obj, extra: Obj = {}): Obj => ({
  apiVersion: 'deckhouse.io/v1alpha1',
  kind: 'OperationPolicy',
  metadata: { name: 'test' },
  spec: { policies, match: { namespaceSelector: { matchNames: ['app-*'] } }, ...extra },
});
const withName = (name: unknown): Obj => ({ ...sp({}), metadata: { name } });
const withMatch = (match: unknown): Obj => sp({}, { match });

describe('invalid policies', () => {
  const cases: [string, unknown, string, string][] = [
    // [case, object, field, message substring]
    ['wrong enum', sp({}, { enforcementAction: 'Block' }), 'spec.enforcementAction', 'must be one of Deny, Warn, Dryrun (got string "Block")'],
    ['enum in the wrong case', sp({}, { enforcementAction: 'deny' }), 'spec.enforcementAction', 'did you mean Deny?'],
    ['wrong type: string for bool', sp({ allowPrivileged: 'yes' }), 'spec.policies.allowPrivileged', 'must be a boolean (true or false), got string "yes"'],
    ['wrong type: object for list', op({ allowedRepos: { a: 1 } }), 'spec.policies.allowedRepos', 'must be a list, got an object'],
    ['wrong type: float for integer', op({ maxRevisionHistoryLimit: 1.5 }), 'spec.policies.maxRevisionHistoryLimit', 'must be an integer, got number 1.5'],
    ['missing spec', { apiVersion: 'deckhouse.io/v1alpha1', kind: 'OperationPolicy', metadata: { name: 'x' } }, 'spec', 'is required'],
    ['missing match', { ...op({}), spec: { policies: {} } }, 'spec.match', 'is required'],
    ['missing policies', { ...op({}), spec: { match: { labelSelector: { matchLabels: { a: 'b' } } } } }, 'spec.policies', 'is required'],
    ['empty match', withMatch({}), 'spec.match', 'must set at least one of namespaceSelector, labelSelector'],
    ['empty namespaceSelector', withMatch({ namespaceSelector: {} }), 'spec.match.namespaceSelector', 'must set at least one of matchNames, excludeNames, labelSelector'],
    ['empty labelSelector', withMatch({ labelSelector: {} }), 'spec.match.labelSelector', 'must set at least one of matchLabels, matchExpressions'],
    ['selector operator', withMatch({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] } }), 'spec.match.labelSelector.matchExpressions[0].operator', 'must be one of In, NotIn, Exists, DoesNotExist'],
    ['In without values', withMatch({ namespaceSelector: { labelSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } } }), 'spec.match.namespaceSelector.labelSelector.matchExpressions[0].values', 'must be non-empty when operator is In'],
    ['Exists with values', withMatch({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }), 'spec.match.labelSelector.matchExpressions[0].values', 'must be empty when operator is Exists'],
    ['bad label key', withMatch({ labelSelector: { matchLabels: { 'bad key': 'x' } } }), 'spec.match.labelSelector.matchLabels[bad key]', 'is not a valid label key'],
    ['bad label value', withMatch({ labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'a b' } } }), 'spec.match.labelSelector.matchLabels[app.kubernetes.io/name]', 'is not a valid label value'],
    ['label value of the wrong type', withMatch({ labelSelector: { matchLabels: { enabled: true } } }), 'spec.match.labelSelector.matchLabels.enabled', 'must be a string, got boolean true'],
    ['bad watchKinds pattern', op({ requiredLabels: { labels: [{ key: 'team' }], watchKinds: ['Deployment'] } }), 'spec.policies.requiredLabels.watchKinds[0]', 'must be "<apiGroup>/<Kind>"'],
    ['empty watchKinds', op({ requiredAnnotations: { annotations: [{ key: 'a' }], watchKinds: [] } }), 'spec.policies.requiredAnnotations.watchKinds', 'must have at least 1 item'],
    ['empty labels', op({ requiredLabels: { labels: [], watchKinds: ['/Pod'] } }), 'spec.policies.requiredLabels.labels', 'must have at least 1 item'],
    ['missing watchKinds', op({ requiredLabels: { labels: [{ key: 'team' }] } }), 'spec.policies.requiredLabels.watchKinds', 'is required'],
    ['label without key', op({ requiredLabels: { labels: [{ allowedRegex: '.*' }], watchKinds: ['/Pod'] } }), 'spec.policies.requiredLabels.labels[0].key', 'is required'],
    ['bad image reference', sp({ verifyImageSignatures: [{ reference: 'Docker.io/Team/*', publicKeys: ['k'] }] }), 'spec.policies.verifyImageSignatures[0].reference', 'must be an image address'],
    ['wildcard inside a reference', sp({ verifyImageSignatures: [{ reference: 'registry.io/*/app', publicKeys: ['k'] }] }), 'spec.policies.verifyImageSignatures[0].reference', 'optionally ending in a single "*"'],
    ['reference without keys', sp({ verifyImageSignatures: [{ reference: 'registry.io/*' }] }), 'spec.policies.verifyImageSignatures[0].publicKeys', 'is required'],
    ['unknown capability', sp({ allowedCapabilities: ['CHOWN', 'NET_ADMINN'] }), 'spec.policies.allowedCapabilities[1]', 'must be one of ALL, SETPCAP'],
    ['capability suggestion', sp({ requiredDropCapabilities: ['CAP_SYS_ADMIN'] }), 'spec.policies.requiredDropCapabilities[0]', 'did you mean SYS_ADMIN?'],
    ['unknown volume type', sp({ allowedVolumes: ['hostpath'] }), 'spec.policies.allowedVolumes[0]', 'did you mean hostPath?'],
    ['unknown probe', op({ requiredProbes: ['livenessprobe'] }), 'spec.policies.requiredProbes[0]', 'must be one of livenessProbe, readinessProbe, startupProbe'],
    ['unknown resource', op({ requiredResources: { limits: ['gpu'] } }), 'spec.policies.requiredResources.limits[0]', 'must be one of cpu, memory'],
    ['empty requiredResources', op({ requiredResources: {} }), 'spec.policies.requiredResources', 'must set at least one of limits, requests'],
    ['imagePullPolicy', op({ imagePullPolicy: 'Never' }), 'spec.policies.imagePullPolicy', 'must be one of Always, IfNotPresent'],
    ['toleration operator', op({ disallowedTolerations: [{ key: 'a', operator: 'Gt' }] }), 'spec.policies.disallowedTolerations[0].operator', 'must be one of Exists, Equal'],
    ['procMount', sp({ allowedProcMount: 'Masked' }), 'spec.policies.allowedProcMount', 'must be one of Default, Unmasked'],
    ['id rule', sp({ runAsUser: { rule: 'MayRunAs' } }), 'spec.policies.runAsUser.rule', 'must be one of MustRunAs, MustRunAsNonRoot, RunAsAny'],
    ['id block without rule', sp({ fsGroup: { ranges: [{ min: 1, max: 2 }] } }), 'spec.policies.fsGroup.rule', 'is required'],
    ['service type', sp({ allowedServiceTypes: ['Headless'] }), 'spec.policies.allowedServiceTypes[0]', 'must be one of ClusterIP, NodePort, LoadBalancer, ExternalName'],
    ['unknown field', sp({ allowHostNetwrok: true }), 'spec.policies.allowHostNetwrok', 'unknown field; did you mean "allowHostNetwork"?'],
    ['unknown spec field', sp({}, { enforcement: 'Deny' }), 'spec.enforcement', 'unknown field'],
    ['relative host path', sp({ allowedHostPaths: [{ pathPrefix: 'var/log' }] }), 'spec.policies.allowedHostPaths[0].pathPrefix', 'must be an absolute path'],
    ['host path glob', sp({ allowedHostPaths: [{ pathPrefix: '/var/*' }] }), 'spec.policies.allowedHostPaths[0].pathPrefix', '"*" is not supported'],
    ['negative port', sp({ allowedHostPorts: [{ min: -1, max: 10 }] }), 'spec.policies.allowedHostPorts[0].min', 'must be at least 0 (got integer -1)'],
    ['oversized port', sp({ allowedHostPorts: [{ min: 1, max: 70000 }] }), 'spec.policies.allowedHostPorts[0].max', 'must be at most 65535 (got integer 70000)'],
    ['port range reversed', sp({ allowedHostPorts: [{ min: 10, max: 5 }] }), 'spec.policies.allowedHostPorts[0]', 'min (10) is greater than max (5)'],
    ['port range half', sp({ allowedHostPorts: [{ min: 10 }] }), 'spec.policies.allowedHostPorts[0].max', 'is required'],
    ['negative id', sp({ runAsGroup: { rule: 'MustRunAs', ranges: [{ min: -5, max: 5 }] } }), 'spec.policies.runAsGroup.ranges[0].min', 'must be at least 0'],
    ['oversized id', sp({ runAsUser: { rule: 'MustRunAs', ranges: [{ min: 1, max: 3000000000 }] } }), 'spec.policies.runAsUser.ranges[0].max', 'must be at most 2147483647'],
    ['id range reversed', sp({ supplementalGroups: { rule: 'MustRunAs', ranges: [{ min: 9, max: 1 }] } }), 'spec.policies.supplementalGroups.ranges[0]', 'min (9) is greater than max (1)'],
    ['negative revision limit', op({ maxRevisionHistoryLimit: -1 }), 'spec.policies.maxRevisionHistoryLimit', 'must be at least 0'],
    ['oversized revision limit', op({ maxRevisionHistoryLimit: 2 ** 31 }), 'spec.policies.maxRevisionHistoryLimit', 'must be a 32-bit integer'],
    ['negative replicas', op({ replicaLimits: { minReplicas: -1 } }), 'spec.policies.replicaLimits.minReplicas', 'must be at least 0'],
    ['replicas reversed', op({ replicaLimits: { minReplicas: 5, maxReplicas: 2 } }), 'spec.policies.replicaLimits', 'minReplicas (5) is greater than maxReplicas (2)'],
    ['reserved prefix d8-pod-security-', withName('d8-pod-security-baseline'), 'metadata.name', 'starts with "d8-pod-security-", a prefix reserved'],
    ['reserved prefix d8-system-', withName('d8-system-warn-foo'), 'metadata.name', 'starts with "d8-system-"'],
    ['name not DNS-1123', withName('My_Policy'), 'metadata.name', 'is not a valid name'],
    ['name too long', withName('a'.repeat(64)), 'metadata.name', 'at most 63'],
    ['missing name', { ...sp({}), metadata: {} }, 'metadata.name', 'is required'],
    ['name of the wrong type', withName(5), 'metadata.name', 'must be a string, got integer 5'],
    ['wrong kind', { ...sp({}), kind: 'NetworkPolicy' }, 'kind', 'must be one of OperationPolicy, SecurityPolicy'],
    ['wrong apiVersion', { ...sp({}), apiVersion: 'deckhouse.io/v1' }, 'apiVersion', 'must be deckhouse.io/v1alpha1'],
    ['not an object', 'kind: SecurityPolicy', '', 'must be a Kubernetes object'],
    ['spec not an object', { ...sp({}), spec: [] }, 'spec', 'must be an object (a mapping of fields), got a list'],
  ];

  test.each(cases)('%s', (_name, obj, field, message) => {
    const errors = errorsOf(obj);
    const hit = errors.find((e) => e.field === field && e.message.includes(message));
    if (!hit) throw new Error(`no error ${JSON.stringify({ field, message })} in:\n${errors.map((e) => `  ${e.field}: ${e.message}`).join('\n')}`);
  });

  test('an anyOf failure is reported once, without its branches', () => {
    expect(errorsOf(withMatch({}))).toEqual([{ field: 'spec.match', message: 'must set at least one of namespaceSelector, labelSelector' }]);
  });

  test('every problem is reported at once', () => {
    const errors = errorsOf({ ...sp({ allowPrivileged: 'no', allowedHostPorts: [{ min: 9, max: 1 }] }, { enforcementAction: 'X' }), metadata: { name: 'd8-system-x' } });
    expect(errors.map((e) => e.field).sort()).toEqual(['metadata.name', 'spec.enforcementAction', 'spec.policies.allowPrivileged', 'spec.policies.allowedHostPorts[0]']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('valid inputs and defaults', () => {
  test('defaults are applied to a copy; the input is not mutated', () => {
    const input = deepFreeze(sp({ allowedHostPaths: [{ pathPrefix: '/var/log' }] }));
    const before = JSON.stringify(input);
    const policy = expectValid(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(policy.spec.enforcementAction).toBe('Deny');
    expect(policy.kind === 'SecurityPolicy' && policy.spec.policies.allowedHostPaths).toEqual([{ pathPrefix: '/var/log', readOnly: false }]);
    expect(policy.spec).not.toBe(input.spec);
  });

  test('explicit values are kept', () => {
    const policy = expectValid(op({ maxRevisionHistoryLimit: 0 }, { enforcementAction: 'Warn' }));
    expect(policy.spec.enforcementAction).toBe('Warn');
  });

  test('match: namespaceSelector parts and labelSelector combine', () => {
    expectValid(
      withMatch({
        namespaceSelector: {
          matchNames: ['prod-*'],
          excludeNames: ['prod-tmp'],
          labelSelector: { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['dev'] }] },
        },
        labelSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'Exists' }] },
      }),
    );
    expectValid(withMatch({ labelSelector: { matchLabels: { app: 'web' } } }));
  });

  test('watchKinds accept the core group, dotted groups and digits in kinds', () => {
    expectValid(op({ requiredLabels: { labels: [{ key: 'team', allowedRegex: '^[a-z]+$' }], watchKinds: ['/Pod', 'apps/Deployment', 'networking.k8s.io/Ingress', 'karpenter.k8s.aws/EC2NodeClass'] } }));
  });

  test('every OperationPolicy and SecurityPolicy field at once', () => {
    expectValid(
      op({
        allowedRepos: ['registry.example.com/'],
        requiredResources: { requests: ['cpu'] },
        disallowedImageTags: ['latest'],
        disallowedTolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        disallowedCustomResources: ['nvidia.com/*'],
        gpuResourceRestriction: { namespaceLabel: { key: 'gpu.deckhouse.io/enabled', value: 'true' }, gpuResourcePatterns: ['^nvidia\\.com/.*$'] },
        requiredAnnotations: { annotations: [{ key: 'owner' }], watchKinds: ['apps/StatefulSet'] },
        requiredProbes: ['startupProbe'],
        maxRevisionHistoryLimit: 5,
        imagePullPolicy: 'IfNotPresent',
        priorityClassNames: ['high'],
        ingressClassNames: ['nginx'],
        storageClassNames: ['fast'],
        checkHostNetworkDNSPolicy: true,
        checkContainerDuplicates: false,
        replicaLimits: { minReplicas: 1, maxReplicas: 1 },
      }),
    );
    expectValid(
      sp({
        allowPrivileged: true,
        allowedHostPorts: [{ min: 0, max: 65535 }],
        allowedCapabilities: ['ALL'],
        forbiddenSysctls: ['kernel.*'],
        allowedFlexVolumes: [{ driver: 'example/lvm' }],
        allowedClusterRoles: ['*'],
        automountServiceAccountToken: false,
        seLinux: [{ level: 's0', role: 'r', type: 't', user: 'u' }],
        runAsUser: { rule: 'MustRunAs', ranges: [{ min: 0, max: 2147483647 }] },
        verifyImageSignatures: [{ reference: '*', publicKeys: ['k'], ca: 'pem', dockerCfg: 'e30=' }],
        allowRbacWildcards: false,
        allowedServiceTypes: ['ClusterIP', 'NodePort'],
        blockWildcardDomains: true,
      }),
    );
  });

  test('status is copied unvalidated; extra top-level keys are dropped; apiVersion may be absent', () => {
    const { apiVersion: _drop, ...noVersion } = sp({});
    const policy = expectValid({ ...noVersion, origin: 'file.yaml#0', status: { observedGeneration: 3, whatever: true } });
    expect(policy.apiVersion).toBe('deckhouse.io/v1alpha1');
    expect(policy.status).toEqual({ observedGeneration: 3, whatever: true });
    expect('origin' in policy).toBe(false);
  });

  test('reserved names can be allowed explicitly', () => {
    expect(validatePolicy(withName('d8-system-foo'), schemas(), { reservedNames: false }).ok).toBe(true);
  });

  test('name helpers', () => {
    expect(RESERVED_POLICY_NAME_PREFIXES).toEqual(['d8-pod-security-', 'd8-system-']);
    expect(checkReservedName('d8-pod-security-restricted-deny')?.field).toBe('metadata.name');
    expect(checkReservedName('d8-systems')).toBeUndefined();
    expect(checkReservedName('my-d8-system-x')).toBeUndefined();
    expect(checkPolicyName('web.prod-1')).toEqual([]);
    expect(checkPolicyName('-web')).toHaveLength(1);
    expect(checkPolicyName('d8-system-x', { reserved: false })).toEqual([]);
  });

  test('field paths', () => {
    expect(fieldPath('', '/spec/policies/allowedHostPorts/0/min')).toBe('spec.policies.allowedHostPorts[0].min');
    expect(fieldPath('settings', '/podSecurityStandards')).toBe('settings.podSecurityStandards');
    expect(fieldPath('', '/spec/match/labelSelector/matchLabels/app.kubernetes.io~1name')).toBe('spec.match.labelSelector.matchLabels[app.kubernetes.io/name]');
  });
});

// ---------------------------------------------------------------------------------------------

describe('settings', () => {
  test('empty, undefined and null give the defaults, as fresh objects', () => {
    for (const input of [{}, undefined, null]) {
      const r = validateSettings(input);
      expect(r).toEqual({ ok: true, settings: defaultSettings, unsupported: [] });
      if (r.ok) {
        expect(r.settings).not.toBe(defaultSettings);
        r.settings.podSecurityStandards.policies.hostPorts.knownRanges.push({ min: 1, max: 2 });
      }
    }
    expect(defaultSettings.podSecurityStandards.policies.hostPorts.knownRanges).toEqual([]);
    expect(defaultSettings).toEqual({
      podSecurityStandards: { defaultPolicy: 'Baseline', enforcementAction: 'Deny', controllerValidation: true, policies: { hostPorts: { knownRanges: [] } } },
      gatekeeper: { namespace: 'd8-admission-policy-engine' },
      policyReports: { enabled: false, maxResultsPerReport: 1000 },
      admissionWebhook: { failurePolicy: 'Fail', timeoutSeconds: 3 },
    });
  });

  test('given values merge over the defaults without mutating the input', () => {
    const input = deepFreeze({ podSecurityStandards: { enforcementAction: 'Warn', policies: { hostPorts: { knownRanges: [{ min: 30000, max: 32767 }] } } }, gatekeeper: { namespace: 'gatekeeper-system' } });
    const r = validateSettings(input);
    expect(r).toEqual({
      ok: true,
      settings: {
        podSecurityStandards: { defaultPolicy: 'Baseline', enforcementAction: 'Warn', controllerValidation: true, policies: { hostPorts: { knownRanges: [{ min: 30000, max: 32767 }] } } },
        gatekeeper: { namespace: 'gatekeeper-system' },
        policyReports: { enabled: false, maxResultsPerReport: 1000 },
        admissionWebhook: { failurePolicy: 'Fail', timeoutSeconds: 3 },
      },
      unsupported: [],
    });
    const r2 = validateSettings({ podSecurityStandards: { defaultPolicy: 'Restricted', controllerValidation: false } });
    expect(r2.ok && r2.settings.podSecurityStandards).toMatchObject({ defaultPolicy: 'Restricted', controllerValidation: false, enforcementAction: 'Deny' });
  });

  const bad: [string, unknown, string, string][] = [
    ['defaultPolicy enum', { podSecurityStandards: { defaultPolicy: 'baseline' } }, 'settings.podSecurityStandards.defaultPolicy', 'must be one of Privileged, Baseline, Restricted (got string "baseline"); did you mean Baseline?'],
    ['enforcementAction enum', { podSecurityStandards: { enforcementAction: 'Audit' } }, 'settings.podSecurityStandards.enforcementAction', 'must be one of Deny, Warn, Dryrun'],
    ['controllerValidation type', { podSecurityStandards: { controllerValidation: 'no' } }, 'settings.podSecurityStandards.controllerValidation', 'must be a boolean'],
    ['knownRanges type', { podSecurityStandards: { policies: { hostPorts: { knownRanges: {} } } } }, 'settings.podSecurityStandards.policies.hostPorts.knownRanges', 'must be a list'],
    ['knownRanges oversized', { podSecurityStandards: { policies: { hostPorts: { knownRanges: [{ min: 1, max: 65536 }] } } } }, 'settings.podSecurityStandards.policies.hostPorts.knownRanges[0].max', 'must be at most 65535'],
    ['knownRanges reversed', { podSecurityStandards: { policies: { hostPorts: { knownRanges: [{ min: 9, max: 1 }] } } } }, 'settings.podSecurityStandards.policies.hostPorts.knownRanges[0]', 'min (9) is greater than max (1)'],
    ['unknown key', { podSecurityStandard: {} }, 'settings.podSecurityStandard', 'did you mean "podSecurityStandards"?'],
    ['gatekeeper namespace', { gatekeeper: { namespace: 'Gate_keeper' } }, 'settings.gatekeeper.namespace', 'must be a valid namespace name'],
    ['policy report size', { policyReports: { maxResultsPerReport: 0 } }, 'settings.policyReports.maxResultsPerReport', 'must be at least 1'],
    ['webhook timeout', { admissionWebhook: { timeoutSeconds: 31 } }, 'settings.admissionWebhook.timeoutSeconds', 'must be at most 30'],
    ['not an object', 'Baseline', 'settings', 'must be an object'],
  ];
  test.each(bad)('%s', (_name, input, field, message) => {
    const r = validateSettings(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.some((e) => e.field === field && e.message.includes(message))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------

/** Problems that make a CRD schema non-structural or otherwise unacceptable to the API server. */
function structuralProblems(node: unknown, path: string, inJunctor = false, parent?: Obj): string[] {
  const out: string[] = [];
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return [`${path}: schema must be an object`];
  const s = node as Obj;
  if (inJunctor) {
    for (const k of ['type', 'description', 'default', 'additionalProperties', 'nullable', 'x-kubernetes-preserve-unknown-fields']) {
      if (k in s) out.push(`${path}: "${k}" is not allowed inside anyOf/allOf/oneOf/not`);
    }
    for (const r of (s.required as string[] | undefined) ?? []) {
      if (!parent || !(r in ((parent.properties as Obj | undefined) ?? {}))) out.push(`${path}: requires "${r}", which the enclosing schema does not define`);
    }
  } else if (!('type' in s) && s['x-kubernetes-int-or-string'] !== true) {
    out.push(`${path}: missing "type"`);
  }
  if ('properties' in s && 'additionalProperties' in s) out.push(`${path}: both properties and additionalProperties`);
  if (('properties' in s || 'additionalProperties' in s) && !inJunctor && s.type !== 'object') out.push(`${path}: properties on a non-object`);
  if ('items' in s && Array.isArray(s.items)) out.push(`${path}: items must be a single schema`);
  if ('items' in s && !inJunctor && s.type !== 'array') out.push(`${path}: items on a non-array`);
  if (s['x-kubernetes-preserve-unknown-fields'] === true && s.type !== 'object') out.push(`${path}: preserve-unknown-fields on a non-object`);
  if ('x-kubernetes-list-type' in s) {
    if (s.type !== 'array') out.push(`${path}: list-type on a non-array`);
    if (s['x-kubernetes-list-type'] === 'map') {
      const req = ((s.items as Obj | undefined)?.required as string[] | undefined) ?? [];
      for (const k of (s['x-kubernetes-list-map-keys'] as string[] | undefined) ?? []) if (!req.includes(k)) out.push(`${path}: list-map key "${k}" must be required`);
      if (!s['x-kubernetes-list-map-keys']) out.push(`${path}: list-type map without list-map-keys`);
    }
  } else if ('x-kubernetes-list-map-keys' in s) out.push(`${path}: list-map-keys without list-type map`);
  if ('enum' in s && !Array.isArray(s.enum)) out.push(`${path}: enum must be a list`);
  for (const [k, v] of Object.entries((s.properties as Obj | undefined) ?? {})) out.push(...structuralProblems(v, `${path}.properties.${k}`));
  if (typeof s.additionalProperties === 'object') out.push(...structuralProblems(s.additionalProperties, `${path}.additionalProperties`));
  if (typeof s.items === 'object' && !Array.isArray(s.items)) out.push(...structuralProblems(s.items, `${path}.items`, inJunctor));
  for (const j of ['anyOf', 'allOf', 'oneOf']) {
    if (j in s) (s[j] as unknown[]).forEach((b, i) => out.push(...structuralProblems(b, `${path}.${j}[${i}]`, true, s)));
  }
  if ('not' in s) out.push(...structuralProblems(s.not, `${path}.not`, true, s));
  return out;
}

describe('CRDs', () => {
  const files = [...Object.values(CRD_FILES), 'crds/moduleconfigs.deckhouse.io.yaml'];

  test.each(files)('%s is a structural apiextensions.k8s.io/v1 CRD', (file) => {
    const crd = parse(readFileSync(join(packageRoot(), file), 'utf8')) as {
      apiVersion: string;
      metadata: { name: string; labels: Record<string, string> };
      spec: { group: string; scope: string; names: { plural: string; shortNames?: string[] }; versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Obj } }[] };
    };
    expect(crd.apiVersion).toBe('apiextensions.k8s.io/v1');
    expect(crd.spec.group).toBe('deckhouse.io');
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.metadata.name).toBe(`${crd.spec.names.plural}.deckhouse.io`);
    expect(crd.metadata.labels).toMatchObject({ heritage: 'deckhouse', module: 'admission-policy-engine' });
    expect(crd.spec.names.shortNames?.length).toBeGreaterThan(0);
    expect(crd.spec.versions).toHaveLength(1);
    expect(crd.spec.versions[0]).toMatchObject({ name: 'v1alpha1', served: true, storage: true });
    const root = crd.spec.versions[0].schema.openAPIV3Schema;
    expect(structuralProblems(root, 'openAPIV3Schema')).toEqual([]);
    // The API server allows only name/generateName restrictions on metadata.
    expect((root.properties as Obj).metadata).toEqual({ type: 'object' });
  });

  test.each(Object.entries(CRD_FILES))('%s: status subresource, status schema and printer columns', (kind, file) => {
    const crd = parse(readFileSync(join(packageRoot(), file), 'utf8')) as {
      spec: { names: { kind: string }; versions: { subresources?: Obj; additionalPrinterColumns: { name: string; jsonPath: string }[] }[] };
    };
    expect(crd.spec.names.kind).toBe(kind);
    const v = crd.spec.versions[0];
    expect(v.subresources).toEqual({ status: {} });
    expect(v.additionalPrinterColumns.map((c) => [c.name, c.jsonPath])).toEqual([
      ['Ready', '.status.conditions[?(@.type=="Ready")].status'],
      ['Enforced', '.status.conditions[?(@.type=="Enforced")].status'],
      ['Action', '.spec.enforcementAction'],
      ['Violations', '.status.violations.total'],
      ['Age', '.metadata.creationTimestamp'],
    ]);
    const schema = loadCrdSchema(join(packageRoot(), file));
    const status = (schema.properties as Record<string, Obj>).status;
    expect(Object.keys(status.properties as Obj).sort()).toEqual(['conditions', 'constraints', 'errors', 'observedGeneration', 'violations']);
    const condition = ((status.properties as Record<string, Obj>).conditions.items as Obj).properties as Obj;
    expect(Object.keys(condition).sort()).toEqual(['lastTransitionTime', 'message', 'observedGeneration', 'reason', 'status', 'type']);
    const spec = (schema.properties as Record<string, Obj>).spec;
    expect(spec.required).toEqual(['match', 'policies']);
    expect((spec.properties as Record<string, Obj>).enforcementAction).toMatchObject({ type: 'string', enum: ['Deny', 'Warn', 'Dryrun'], default: 'Deny' });
  });

  test('ModuleConfig keeps settings free-form', () => {
    const schema = loadCrdSchema(join(packageRoot(), 'crds/moduleconfigs.deckhouse.io.yaml'));
    const spec = (schema.properties as Record<string, Obj>).spec;
    expect(spec.properties).toEqual({
      version: expect.objectContaining({ type: 'integer' }) as unknown,
      enabled: expect.objectContaining({ type: 'boolean' }) as unknown,
      settings: expect.objectContaining({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as unknown,
    });
  });
});
