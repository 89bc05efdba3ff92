// The operator's RBAC, generated from what it does: the check catalog names the constraint
// resources and templates it writes, the API paths of src/reconcile and src/kube name the rest.
// manifests/rbac.yaml is this module's output, byte for byte (test/unit/rbac.test.ts compares and
// rewrites it with APE_WRITE_RBAC=1); test/e2e/install.test.ts proves, with the ServiceAccount's own
// token, that the operator converges under it and is refused what it must not do.
//
// Rules of thumb: read what is watched (list+watch; `get` only where something is read by name);
// write with server-side apply only: an apply that creates the object is authorized as `create`
// of that name (besides `patch`), so `create` can be granted by resourceNames for applied objects
// (unlike POST, where the name is unknown at authorization); name every object whose name is known
// (templates, the Gatekeeper Config, the ModuleConfig, the Lease, the reports) with resourceNames,
// and select it by metadata.name in the watch so a named grant suffices.
import { Document, isSeq, visit, type Scalar, type YAMLMap } from 'yaml';
import { API_GROUP, MODULE_CONFIG_NAME, PRODUCT_NAME } from '../api/types.js';
import type { Check } from '../checks/types.js';
import { GATEKEEPER_VALIDATING_CONFIGURATION, ROUTING_NAME } from '../compile/routing.js';
import { REPORT_NAME } from '../reconcile/policy-reports.js';
import { IMAGE_VERIFIER_DEFAULTS } from '../reconcile/image-verifier.js';
import { IMAGE_VERIFIER_PROVIDER } from '../checks/verify-image-signatures.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
  /** Why the operator needs it: written above the rule in the YAML. */
  why: string;
}

export interface RbacOptions {
  /** Namespace of the operator, its ServiceAccount and Lease. */
  namespace: string;
  /** Namespace of Gatekeeper (its Config). */
  gatekeeperNamespace: string;
  leaseName: string;
  serviceAccount: string;
}

export const DEFAULT_RBAC_OPTIONS: RbacOptions = {
  namespace: 'd8-system',
  gatekeeperNamespace: 'gatekeeper-system',
  leaseName: PRODUCT_NAME,
  serviceAccount: PRODUCT_NAME,
};

/** The Gatekeeper Config the operator keeps (Gatekeeper reads only this name). */
export const GATEKEEPER_CONFIG_NAME = 'config';

const byName = (names: Iterable<string>) => [...new Set(names)].sort();

/** Cluster-wide rules (ClusterRole `admission-policy-engine`). */
export function clusterRules(catalog: readonly Check[]): PolicyRule[] {
  const kinds = byName(catalog.map((c) => c.kind.toLowerCase()));
  return [
    { apiGroups: [API_GROUP], resources: ['operationpolicies', 'securitypolicies'], verbs: ['list', 'watch'], why: 'The policies: watched (src/reconcile/sources.ts).' },
    { apiGroups: [API_GROUP], resources: ['operationpolicies/status', 'securitypolicies/status'], verbs: ['patch'], why: 'Their status (src/reconcile/report.ts).' },
    {
      apiGroups: [API_GROUP], resources: ['moduleconfigs'], resourceNames: [MODULE_CONFIG_NAME], verbs: ['list', 'watch'],
      why: `The settings: only the ModuleConfig ${MODULE_CONFIG_NAME}, watched with a metadata.name field selector.`,
    },
    {
      apiGroups: [API_GROUP], resources: ['securitypolicyexceptions'], verbs: ['list'],
      why: 'SecurityPolicyException usage (src/reconcile/exception-usage.ts): the exceptions, then the workloads of the namespaces that hold one.',
    },
    { apiGroups: [API_GROUP], resources: ['securitypolicyexceptions/status'], verbs: ['patch'], why: 'Their status.usedBy.' },
    { apiGroups: [''], resources: ['pods', 'replicationcontrollers'], verbs: ['list'], why: 'Workloads that may reference an exception (listed per namespace).' },
    { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: ['list'], why: 'Likewise.' },
    { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: ['list'], why: 'Likewise.' },
    { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'], why: 'Namespace labels select the Pod Security Standard and its action.' },
    {
      apiGroups: ['templates.gatekeeper.sh'], resources: ['constrainttemplates'], verbs: ['list', 'watch'],
      why: 'ConstraintTemplates: ours (by label) and, for admission routing, those of other owners.',
    },
    {
      apiGroups: ['templates.gatekeeper.sh'], resources: ['constrainttemplates'], resourceNames: kinds, verbs: ['create', 'delete', 'patch'],
      why: 'Written (server-side apply) and pruned by name: one template per check of the catalog (src/checks/index.ts), named after its kind.',
    },
    {
      apiGroups: ['constraints.gatekeeper.sh'], resources: [...kinds], verbs: ['create', 'delete', 'list', 'patch', 'watch'],
      why: 'Constraints of the catalog\'s kinds only: watched (by label), applied, pruned. Their names come from policies, so they cannot be listed.',
    },
    {
      apiGroups: ['openreports.io'], resources: ['clusterreports', 'reports'], verbs: ['list'],
      why: 'Audit results as openreports.io reports (policyReports setting): ours are found by label...',
    },
    { apiGroups: ['openreports.io'], resources: ['clusterreports', 'reports'], resourceNames: [REPORT_NAME], verbs: ['create', 'delete', 'patch'], why: '...and written (server-side apply) and removed by name.' },
    {
      apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'],
      why: '/metrics: who is asking (the bearer token), as controller-runtime\'s secure metrics.',
    },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'], why: '/metrics: whether they may `get` the non-resource URL /metrics.' },
    {
      apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'],
      why: 'Events about policies (in default) and about Namespaces with invalid labels (in that namespace). Named by a hash of object, reason and message: a restarted replica gets 409 for what was already recorded (no list); patch: lastTimestamp when a message recurs.',
    },
    ...routingRules(),
    ...imageVerifierClusterRules(),
  ];
}

// ---- Admission routing (src/reconcile/routing.ts) --------------------------------------------
// OWNED BY THE ADMISSION-ROUTING WORK: the rules its watches and writes need. Kept here so the
// test compares them like the rest; adjust them with that code, not elsewhere.
export function routingRules(): PolicyRule[] {
  return [
    {
      apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [GATEKEEPER_VALIDATING_CONFIGURATION, ROUTING_NAME],
      verbs: ['get', 'list', 'watch'], why: 'Admission routing: Gatekeeper\'s configuration (endpoint, CA) and ours, watched by metadata.name.',
    },
    {
      apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [ROUTING_NAME],
      verbs: ['create', 'delete', 'patch'], why: 'Ours: applied and removed by name.',
    },
  ];
}
// ---- end of admission routing ------------------------------------------------------------------

// ---- Image verifier wiring (src/reconcile/image-verifier.ts) ---------------------------------
// OWNED BY THE IMAGE-VERIFIER WORK: its Provider (cluster-scoped) and its two Secrets (in
// Gatekeeper's namespace, beside the verifier), all by name. Adjust them with that code.
export function imageVerifierClusterRules(): PolicyRule[] {
  return [{
    apiGroups: ['externaldata.gatekeeper.sh'], resources: ['providers'], resourceNames: [IMAGE_VERIFIER_PROVIDER], verbs: ['create', 'delete', 'get', 'patch'],
    why: 'The image verifier\'s external-data Provider: applied and removed by name (read first, so a restart with nothing to remove writes nothing).',
  }];
}

export function imageVerifierNamespaceRules(): PolicyRule[] {
  return [{
    apiGroups: [''], resources: ['secrets'], resourceNames: [IMAGE_VERIFIER_DEFAULTS.configSecret, IMAGE_VERIFIER_DEFAULTS.tlsSecret], verbs: ['create', 'delete', 'get', 'patch'],
    why: 'The image verifier\'s configuration and serving certificate: its own two Secrets, by name; no other Secret.',
  }];
}
// ---- end of image verifier ---------------------------------------------------------------------

/** Rules in the operator's own namespace (Role): the leader Lease. */
export function leaseRules(o: RbacOptions): PolicyRule[] {
  return [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [o.leaseName], verbs: ['get', 'update'], why: 'Leader election: read and renew (replace) the Lease by name...' },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'], why: '...and create it the first time (create cannot be restricted by name).' },
  ];
}

/** Rules in Gatekeeper's namespace (Role): its Config, and the image verifier's Secrets. */
export function gatekeeperConfigRules(): PolicyRule[] {
  return [{
    apiGroups: ['config.gatekeeper.sh'], resources: ['configs'], resourceNames: [GATEKEEPER_CONFIG_NAME], verbs: ['create', 'list', 'patch', 'watch'],
    why: 'Gatekeeper\'s Config (the inventory our templates read): watched by metadata.name, applied.',
  }, ...imageVerifierNamespaceRules()];
}

type Obj = Record<string, unknown>;

function role(kind: 'ClusterRole' | 'Role', name: string, namespace: string | undefined, rules: PolicyRule[]): { object: Obj; whys: string[] } {
  return {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind,
      metadata: { name, ...(namespace ? { namespace } : {}), labels: { 'app.kubernetes.io/name': PRODUCT_NAME } },
      rules: rules.map(({ why: _why, ...r }) => r),
    },
    whys: rules.map((r) => r.why),
  };
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, namespace: string | undefined, o: RbacOptions): Obj {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind,
    metadata: { name, ...(namespace ? { namespace } : {}), labels: { 'app.kubernetes.io/name': PRODUCT_NAME } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'ClusterRoleBinding' ? 'ClusterRole' : 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: o.serviceAccount, namespace: o.namespace }],
  };
}

/** Every RBAC object of the operator, each with the reasons of its rules (null for bindings). */
export function operatorRbac(catalog: readonly Check[], o: RbacOptions = DEFAULT_RBAC_OPTIONS): { object: Obj; whys?: string[]; comment: string }[] {
  const n = PRODUCT_NAME;
  const out: { object: Obj; whys?: string[]; comment: string }[] = [];
  const add = (comment: string, r: { object: Obj; whys: string[] }, b: Obj) => {
    out.push({ ...r, comment }, { object: b, comment: '' });
  };
  add('Cluster-wide: read the inputs, write only what the operator generates and its status.', role('ClusterRole', n, undefined, clusterRules(catalog)), binding('ClusterRoleBinding', n, undefined, o));
  add(`Leader election, in the operator's namespace only.`, role('Role', `${n}-leader-election`, o.namespace, leaseRules(o)), binding('RoleBinding', `${n}-leader-election`, o.namespace, o));
  add(`Gatekeeper's namespace only (change with --gatekeeper-namespace): its Config, the image verifier's Secrets.`, role('Role', `${n}-gatekeeper-config`, o.gatekeeperNamespace, gatekeeperConfigRules()), binding('RoleBinding', `${n}-gatekeeper-config`, o.gatekeeperNamespace, o));
  out.push({
    ...role('ClusterRole', `${n}-metrics-reader`, undefined, [{ nonResourceURLs: ['/metrics'], verbs: ['get'], why: 'Bind it to the scraper (Prometheus\' ServiceAccount).' }]),
    comment: 'Who may scrape /metrics (the operator checks it with a SubjectAccessReview). Bound to nobody here.',
  });
  return out;
}

const HEADER = `# GENERATED by src/cli/rbac.ts from the check catalog; do not edit. Regenerate with
#   APE_WRITE_RBAC=1 npm run test:jest -- test/unit/rbac.test.ts
# Least privilege: the operator reads its inputs, writes (server-side apply) only what it generates,
# by name wherever the name is known, and its status, events and Lease.`;

/** manifests/rbac.yaml. */
export function renderRbacYaml(catalog: readonly Check[], o: RbacOptions = DEFAULT_RBAC_OPTIONS): string {
  const docs = operatorRbac(catalog, o).map(({ object, whys, comment }, i) => {
    const doc = new Document(object);
    if (i === 0) doc.commentBefore = ` ${HEADER.split('\n').map((l) => l.replace(/^# ?/, '')).join('\n ')}\n\n ${comment}`;
    else if (comment) doc.commentBefore = ` ${comment}`;
    const rules = doc.get('rules', true) as { items: (YAMLMap | Scalar)[] } | undefined;
    whys?.forEach((why, j) => {
      const node = rules?.items[j];
      if (node) node.commentBefore = ` ${why}`;
    });
    // Lists of names and verbs on one line, as RBAC is usually written.
    visit(doc, { Seq: (_k, seq) => {
      if (seq.items.every((it) => !isSeq(it) && typeof (it as Scalar).value === 'string')) seq.flow = true;
    } });
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  });
  return docs.join('---\n');
}
