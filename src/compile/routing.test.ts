import { describe, expect, test } from '@jest/globals';
import { catalog } from '../checks/index.js';
import { compileBuiltins } from './builtins.js';
import {
  foreignRouted, gatekeeperEndpoint, judgesDelete, kindsRouted, routeCovered, routesFor, routingConfiguration, routingRules, ROUTING_NAME, SYSTEM_WEBHOOK, USER_WEBHOOK,
  type ServedResource,
} from './routing.js';
import { defaultCompileSettings } from './settings.js';

const served: ServedResource[] = [
  { group: '', kind: 'Pod', resource: 'pods' },
  { group: '', kind: 'Node', resource: 'nodes' },
  { group: '', kind: 'Service', resource: 'services' },
  { group: 'apps', kind: 'Deployment', resource: 'deployments' },
  { group: 'extensions', kind: 'Deployment', resource: 'deployments' },
  { group: 'networking.k8s.io', kind: 'Ingress', resource: 'ingresses' },
];

describe('routesFor', () => {
  test('named kinds map to their resources; Pods bring pods/ephemeralcontainers', () => {
    expect(routesFor([{ apiGroups: [''], kinds: ['Pod'] }, { apiGroups: ['apps'], kinds: ['Deployment'] }], false, served)).toEqual([
      { group: '', resource: 'pods', operations: ['CREATE', 'UPDATE'] },
      { group: '', resource: 'pods/ephemeralcontainers', operations: ['CREATE', 'UPDATE'] },
      { group: 'apps', resource: 'deployments', operations: ['CREATE', 'UPDATE'] },
    ]);
  });

  test('a wildcard group resolves the kind in every group that serves it', () => {
    expect(routesFor([{ apiGroups: ['*'], kinds: ['Deployment'] }], false, served).map((r) => `${r.group}/${r.resource}`)).toEqual(['apps/deployments', 'extensions/deployments']);
  });

  test('exec and attach are CONNECT to subresources; DELETE only when the template judges it', () => {
    expect(routesFor([{ apiGroups: [''], kinds: ['PodExecOptions', 'PodAttachOptions'] }], true, served)).toEqual([
      { group: '', resource: 'pods/exec', operations: ['CONNECT'] },
      { group: '', resource: 'pods/attach', operations: ['CONNECT'] },
    ]);
    expect(routesFor([{ apiGroups: [''], kinds: ['Node'] }], true, served)).toEqual([{ group: '', resource: 'nodes', operations: ['CREATE', 'UPDATE', 'DELETE'] }]);
  });

  test('no kinds (or *) match everything, including the pod subresources', () => {
    const all = routesFor(undefined, false, served);
    expect(all[0]).toEqual({ group: '*', resource: '*', operations: ['CREATE', 'UPDATE'] });
    expect(all.map((r) => r.resource)).toEqual(['*', 'pods/ephemeralcontainers', 'pods/exec', 'pods/attach']);
  });

  test('a kind the API server does not serve routes nothing', () => {
    expect(routesFor([{ apiGroups: ['example.com'], kinds: ['Widget'] }], false, served)).toEqual([]);
  });
});

describe('routingRules', () => {
  test('merged per group and operations, sorted, wildcards swallow what they cover', () => {
    const rules = routingRules([
      { kinds: [{ apiGroups: [''], kinds: ['Pod', 'Service'] }], judgesDelete: false },
      { kinds: [{ apiGroups: ['apps'], kinds: ['Deployment'] }], judgesDelete: false },
      { kinds: [{ apiGroups: ['apps'], kinds: ['*'] }], judgesDelete: false },
      { kinds: [{ apiGroups: [''], kinds: ['Node'] }], judgesDelete: true },
      { kinds: [{ apiGroups: [''], kinds: ['PodExecOptions', 'PodAttachOptions'] }], judgesDelete: false },
    ], served);
    expect(rules).toEqual([
      { apiGroups: [''], apiVersions: ['*'], operations: ['CONNECT'], resources: ['pods/attach', 'pods/exec'], scope: '*' },
      { apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers', 'services'], scope: '*' },
      { apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['nodes'], scope: '*' },
      { apiGroups: ['apps'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'], scope: '*' },
    ]);
  });

  test('everything for CREATE/UPDATE keeps DELETE rules and subresources apart', () => {
    const rules = routingRules([{ judgesDelete: false }, { kinds: [{ apiGroups: [''], kinds: ['Node'] }], judgesDelete: true }, { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], judgesDelete: false }], served);
    expect(rules).toEqual([
      { apiGroups: [''], apiVersions: ['*'], operations: ['CONNECT'], resources: ['pods/attach', 'pods/exec'], scope: '*' },
      { apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['pods/ephemeralcontainers'], scope: '*' },
      { apiGroups: [''], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['nodes'], scope: '*' },
      { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'], scope: '*' },
    ]);
  });

  test('deterministic: input order does not matter', () => {
    const cs = [
      { kinds: [{ apiGroups: ['networking.k8s.io'], kinds: ['Ingress'] }], judgesDelete: false },
      { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], judgesDelete: false },
      { kinds: [{ apiGroups: ['*'], kinds: ['Deployment'] }], judgesDelete: true },
    ];
    expect(routingRules([...cs].reverse(), served)).toEqual(routingRules(cs, served));
  });

  test('the built-in exec guard alone routes CONNECT for pods/exec and pods/attach', () => {
    const rules = routingRules(compileBuiltins(catalog).map((c) => ({ kinds: c.spec.match.kinds, judgesDelete: false })), served);
    expect(rules).toEqual([{ apiGroups: [''], apiVersions: ['*'], operations: ['CONNECT'], resources: ['pods/attach', 'pods/exec'], scope: '*' }]);
  });

  test('every catalog check routes the kinds it matches', () => {
    for (const check of catalog) {
      const rules = routingRules([{ kinds: check.matches, judgesDelete: false }], served);
      for (const route of routesFor(check.matches, false, served)) expect(routeCovered(rules, route)).toBe(true);
    }
  });
});

describe('routeCovered and kindsRouted', () => {
  const rules = routingRules([{ kinds: [{ apiGroups: [''], kinds: ['Pod'] }], judgesDelete: false }], served);
  test('covered only with every operation', () => {
    expect(routeCovered(rules, { group: '', resource: 'pods', operations: ['CREATE', 'UPDATE'] })).toBe(true);
    expect(routeCovered(rules, { group: '', resource: 'pods', operations: ['DELETE'] })).toBe(false);
    expect(routeCovered(rules, { group: 'apps', resource: 'deployments', operations: ['CREATE'] })).toBe(false);
    expect(routeCovered([{ apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE'], resources: ['*'], scope: '*' }], { group: '', resource: 'pods/exec', operations: ['CREATE'] })).toBe(false);
  });
  test('kindsRouted needs every webhook of the live configuration to route the kinds', () => {
    const kinds = [{ apiGroups: [''], kinds: ['Pod'] }];
    expect(kindsRouted(kinds, false, served, { webhooks: [{ rules }, { rules }] })).toBe(true);
    expect(kindsRouted(kinds, false, served, { webhooks: [{ rules }, { rules: [] }] })).toBe(false);
    expect(kindsRouted(kinds, false, served, undefined)).toBe(false);
    expect(kindsRouted(kinds, false, served, { webhooks: [] })).toBe(false);
  });
});

describe('judgesDelete', () => {
  test('a template whose Rego or CEL names DELETE', () => {
    expect(judgesDelete({ spec: { targets: [{ rego: 'is_delete { input.review.operation == "DELETE" }' }] } })).toBe(true);
    expect(judgesDelete({ spec: { targets: [{ code: [{ engine: 'K8sNativeValidation', source: { validations: [{ expression: "request.operation == 'DELETE'" }] } }] }] } })).toBe(true);
    expect(judgesDelete({ spec: { targets: [{ rego: 'violation[{"msg": "x"}] { input.review.object.spec.deleted }' }] } })).toBe(false);
    expect(judgesDelete({})).toBe(false);
  });
});

describe('gatekeeperEndpoint', () => {
  const base = { metadata: { name: 'gatekeeper-validating-webhook-configuration', uid: 'u1' } };
  test('a service reference, with the admission path', () => {
    expect(gatekeeperEndpoint({ ...base, webhooks: [
      { name: 'validation.gatekeeper.sh', clientConfig: { service: { namespace: 'gatekeeper-system', name: 'gatekeeper-webhook-service', path: '/v1/admit', port: 443 }, caBundle: 'Q0E=' } },
      { name: 'check-ignore-label.gatekeeper.sh', clientConfig: { service: { namespace: 'gatekeeper-system', name: 'gatekeeper-webhook-service', path: '/v1/admitlabel' }, caBundle: 'Q0E=' } },
    ] })).toEqual({ owner: { name: 'gatekeeper-validating-webhook-configuration', uid: 'u1' }, clientConfig: { service: { namespace: 'gatekeeper-system', name: 'gatekeeper-webhook-service', path: '/v1/admit', port: 443 }, caBundle: 'Q0E=' } });
  });
  test('a URL (chart value validatingWebhookURL, or the test bed)', () => {
    expect(gatekeeperEndpoint({ ...base, webhooks: [{ name: 'validation.gatekeeper.sh', clientConfig: { url: 'https://127.0.0.1:9443/v1/admit', caBundle: 'Q0E=' } }] })?.clientConfig)
      .toEqual({ url: 'https://127.0.0.1:9443/v1/admit', caBundle: 'Q0E=' });
  });
  test('nothing until the certificate controller injected the CA, nor without the webhook', () => {
    expect(gatekeeperEndpoint({ ...base, webhooks: [{ name: 'validation.gatekeeper.sh', clientConfig: { url: 'https://x/v1/admit' } }] })).toBeUndefined();
    expect(gatekeeperEndpoint({ ...base, webhooks: [] })).toBeUndefined();
    expect(gatekeeperEndpoint(undefined)).toBeUndefined();
  });
});

describe('routingConfiguration', () => {
  const settings = { ...defaultCompileSettings(), gatekeeperNamespace: 'gatekeeper-system', admissionWebhook: { failurePolicy: 'Fail' as const, timeoutSeconds: 5 } };
  const endpoint = { owner: { name: 'gatekeeper-validating-webhook-configuration', uid: 'u1' }, clientConfig: { url: 'https://gk/v1/admit', caBundle: 'Q0E=' } };
  const rules = routingRules([{ kinds: [{ apiGroups: [''], kinds: ['Pod'] }], judgesDelete: false }], served);

  test('user namespaces fail as configured; system namespaces fail open and ignore no label; Gatekeeper\'s namespace never routed', () => {
    const vwc = routingConfiguration(rules, endpoint, settings) as unknown as {
      metadata: { name: string; labels: Record<string, string>; ownerReferences: unknown[] };
      webhooks: { name: string; failurePolicy: string; timeoutSeconds: number; matchConditions: { expression: string }[]; namespaceSelector: { matchExpressions: { key: string; values?: string[] }[] }; clientConfig: unknown; rules: unknown }[];
    };
    expect(vwc.metadata.name).toBe(ROUTING_NAME);
    expect(vwc.metadata.labels['app.kubernetes.io/managed-by']).toBe('admission-policy-engine');
    expect(vwc.metadata.ownerReferences).toEqual([{ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: 'gatekeeper-validating-webhook-configuration', uid: 'u1' }]);
    const [user, system] = vwc.webhooks;
    expect(user.name).toBe(USER_WEBHOOK);
    expect(user.failurePolicy).toBe('Fail');
    expect(user.timeoutSeconds).toBe(5);
    expect(user.matchConditions[0].expression).toBe("!has(request.namespace) || !(request.namespace.startsWith('d8-') || request.namespace.startsWith('kube-'))");
    expect(user.namespaceSelector.matchExpressions.map((e) => e.key)).toEqual(['admission.gatekeeper.sh/ignore', 'kubernetes.io/metadata.name']);
    expect(system.name).toBe(SYSTEM_WEBHOOK);
    expect(system.failurePolicy).toBe('Ignore');
    expect(system.matchConditions[0].expression).toBe("has(request.namespace) && (request.namespace.startsWith('d8-') || request.namespace.startsWith('kube-'))");
    expect(system.namespaceSelector.matchExpressions).toEqual([{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['gatekeeper-system'] }]);
    for (const w of vwc.webhooks) {
      expect(w.clientConfig).toEqual(endpoint.clientConfig);
      expect(w.rules).toEqual(rules);
    }
  });

  test('no rules, no configuration', () => {
    expect(routingConfiguration([], endpoint, settings)).toBeUndefined();
  });
});

describe('other owners\' templates (foreignRouted)', () => {
  test('only a created template that judges DELETE adds routing, and then DELETE of every resource only', () => {
    expect(foreignRouted([])).toEqual([]);
    expect(foreignRouted([{ created: true, judgesDelete: false }, { created: false, judgesDelete: true }])).toEqual([]);
    const foreign = foreignRouted([{ created: true, judgesDelete: true }, { created: true, judgesDelete: true }]);
    expect(foreign).toHaveLength(1);
    expect(routingRules(foreign, served)).toEqual([{ apiGroups: ['*'], apiVersions: ['*'], operations: ['DELETE'], resources: ['*'], scope: '*' }]);
  });
  test('beside our constraints: our CREATE/UPDATE rules stay as they are, DELETE is added for every resource', () => {
    const rules = routingRules([{ kinds: [{ apiGroups: [''], kinds: ['Pod'] }], judgesDelete: false }, ...foreignRouted([{ created: true, judgesDelete: true }])], served);
    expect(routeCovered(rules, { group: '', resource: 'nodes', operations: ['DELETE'] })).toBe(true);
    expect(routeCovered(rules, { group: '', resource: 'nodes', operations: ['CREATE'] })).toBe(false);
    expect(routeCovered(rules, { group: '', resource: 'pods', operations: ['CREATE', 'UPDATE', 'DELETE'] })).toBe(true);
    // Subresources are never swept in by `*`.
    expect(routeCovered(rules, { group: '', resource: 'pods/exec', operations: ['DELETE'] })).toBe(false);
  });
  test('a delete-only route for named kinds keeps only their DELETE', () => {
    expect(routesFor([{ apiGroups: [''], kinds: ['Node', 'PodExecOptions'] }], true, served, true)).toEqual([{ group: '', resource: 'nodes', operations: ['DELETE'] }]);
  });
});
