// API types: OperationPolicy / SecurityPolicy (deckhouse.io/v1alpha1) and the module settings
// (ModuleConfig `admission-policy-engine` spec.settings). The schemas live in crds/*.yaml and
// src/api/settings-schema.ts; keep these types in sync with them.

export const API_GROUP = 'deckhouse.io';
export const API_VERSION = 'deckhouse.io/v1alpha1';

/**
 * The product's name: the Deckhouse module name (and so the name of the ModuleConfig that holds
 * its settings), the `app.kubernetes.io/managed-by` value on what it generates, its field manager,
 * event source and Lease name.
 */
export const PRODUCT_NAME = 'admission-policy-engine';
/** ModuleConfig `admission-policy-engine`: its spec.settings are this module's settings. */
export const MODULE_CONFIG_NAME = PRODUCT_NAME;
/** Namespace of Gatekeeper (and its `Config`) in Deckhouse, the default. */
export const DEFAULT_GATEKEEPER_NAMESPACE = 'd8-admission-policy-engine';

export type PolicyKind = 'OperationPolicy' | 'SecurityPolicy';
export const POLICY_KINDS: readonly PolicyKind[] = ['OperationPolicy', 'SecurityPolicy'];

/** `spec.enforcementAction` (capitalised; lower-cased in Gatekeeper constraints). */
export type EnforcementAction = 'Deny' | 'Warn' | 'Dryrun';

/** A field-level problem, Kubernetes style: `field` like `spec.policies.allowedHostPorts[0].min`. */
export interface FieldError {
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Match

export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** Standard Kubernetes label selector (at least one of the two fields). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface NamespaceSelector {
  /** Namespaces to include (globs with a leading or trailing `*`). */
  matchNames?: string[];
  /** Namespaces to exclude (globs). */
  excludeNames?: string[];
  labelSelector?: LabelSelector;
}

/** At least one of the two; when both are given an object must satisfy both. */
export interface PolicyMatch {
  namespaceSelector?: NamespaceSelector;
  /** Selects reviewed objects by their own labels. */
  labelSelector?: LabelSelector;
}

// ---------------------------------------------------------------------------------------------
// SecurityPolicy

export type Capability =
  | 'ALL' | 'SETPCAP' | 'SYS_MODULE' | 'SYS_RAWIO' | 'SYS_PACCT' | 'SYS_ADMIN' | 'SYS_NICE' | 'SYS_RESOURCE' | 'SYS_TIME'
  | 'SYS_TTY_CONFIG' | 'MKNOD' | 'AUDIT_WRITE' | 'AUDIT_CONTROL' | 'MAC_OVERRIDE' | 'MAC_ADMIN' | 'NET_ADMIN' | 'SYSLOG' | 'CHOWN'
  | 'NET_RAW' | 'DAC_OVERRIDE' | 'FOWNER' | 'DAC_READ_SEARCH' | 'FSETID' | 'KILL' | 'SETGID' | 'SETUID' | 'LINUX_IMMUTABLE'
  | 'NET_BIND_SERVICE' | 'NET_BROADCAST' | 'IPC_LOCK' | 'IPC_OWNER' | 'SYS_CHROOT' | 'SYS_PTRACE' | 'SYS_BOOT' | 'LEASE' | 'SETFCAP'
  | 'WAKE_ALARM' | 'BLOCK_SUSPEND';

export type VolumeType =
  | '*' | 'none' | 'awsElasticBlockStore' | 'azureDisk' | 'azureFile' | 'cephFS' | 'cinder' | 'configMap' | 'csi' | 'downwardAPI'
  | 'emptyDir' | 'ephemeral' | 'fc' | 'flexVolume' | 'flocker' | 'gcePersistentDisk' | 'gitRepo' | 'glusterfs' | 'hostPath' | 'iscsi'
  | 'nfs' | 'persistentVolumeClaim' | 'photonPersistentDisk' | 'portworxVolume' | 'projected' | 'quobyte' | 'rbd' | 'scaleIO'
  | 'secret' | 'storageos' | 'vsphereVolume';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** Inclusive range; host ports 0..65535, IDs 0..2147483647. */
export interface IntRange {
  min: number;
  max: number;
}

export interface HostPath {
  pathPrefix: string;
  /** Defaulted to false by the schema. */
  readOnly?: boolean;
}

export interface IdPolicy<Rule extends string> {
  rule: Rule;
  ranges?: IntRange[];
}

export interface SeLinuxOptions {
  level?: string;
  role?: string;
  type?: string;
  user?: string;
}

export interface ImageSignatureVerification {
  /** Image address or a template ending in a single `*`. */
  reference: string;
  publicKeys: string[];
  /** Base64-encoded `.dockerconfigjson`. */
  dockerCfg?: string;
  /** Custom registry CA (PEM). */
  ca?: string;
}

// Type aliases (not interfaces) so a policies object is also a Record<string, unknown>.
export type SecurityPolicies = {
  allowPrivileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  allowHostPID?: boolean;
  allowHostIPC?: boolean;
  allowHostNetwork?: boolean;
  allowedHostPorts?: IntRange[];
  allowedHostPaths?: HostPath[];
  allowedProcMount?: 'Default' | 'Unmasked';
  allowedCapabilities?: Capability[];
  requiredDropCapabilities?: Capability[];
  allowedAppArmor?: string[];
  allowedFlexVolumes?: { driver: string }[];
  allowedUnsafeSysctls?: string[];
  forbiddenSysctls?: string[];
  fsGroup?: IdPolicy<'MustRunAs' | 'MayRunAs' | 'RunAsAny'>;
  runAsUser?: IdPolicy<'MustRunAs' | 'MustRunAsNonRoot' | 'RunAsAny'>;
  runAsGroup?: IdPolicy<'MustRunAs' | 'MayRunAs' | 'RunAsAny'>;
  supplementalGroups?: IdPolicy<'MustRunAs' | 'MayRunAs' | 'RunAsAny'>;
  readOnlyRootFilesystem?: boolean;
  automountServiceAccountToken?: boolean;
  allowedClusterRoles?: string[];
  seccompProfiles?: { allowedProfiles?: string[]; allowedLocalhostFiles?: string[] };
  seLinux?: SeLinuxOptions[];
  allowedVolumes?: VolumeType[];
  verifyImageSignatures?: ImageSignatureVerification[];
  allowRbacWildcards?: boolean;
  allowedServiceTypes?: ServiceType[];
  blockWildcardDomains?: boolean;
};

// ---------------------------------------------------------------------------------------------
// OperationPolicy

export type ProbeName = 'livenessProbe' | 'readinessProbe' | 'startupProbe';
export type ResourceName = 'cpu' | 'memory';

export interface TolerationPattern {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface RequiredKey {
  key: string;
  /** When set, the value must match it. */
  allowedRegex?: string;
}

export type OperationPolicies = {
  allowedRepos?: string[];
  requiredResources?: { limits?: ResourceName[]; requests?: ResourceName[] };
  disallowedImageTags?: string[];
  disallowedTolerations?: TolerationPattern[];
  disallowedCustomResources?: string[];
  gpuResourceRestriction?: { namespaceLabel?: { key: string; value?: string }; gpuResourcePatterns?: string[] };
  /** watchKinds: `<apiGroup>/<Kind>`, `/Pod` for the core group. */
  requiredLabels?: { labels: RequiredKey[]; watchKinds: string[] };
  requiredAnnotations?: { annotations: RequiredKey[]; watchKinds: string[] };
  requiredProbes?: ProbeName[];
  maxRevisionHistoryLimit?: number;
  imagePullPolicy?: 'Always' | 'IfNotPresent';
  priorityClassNames?: string[];
  ingressClassNames?: string[];
  storageClassNames?: string[];
  checkHostNetworkDNSPolicy?: boolean;
  checkContainerDuplicates?: boolean;
  replicaLimits?: { minReplicas?: number; maxReplicas?: number };
};

// ---------------------------------------------------------------------------------------------
// Objects and status

export interface PolicySpec<P> {
  /** Defaulted to `Deny` by the schema (always set on a validated policy). */
  enforcementAction?: EnforcementAction;
  policies: P;
  match: PolicyMatch;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** RFC 3339 timestamp. */
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface PolicyStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  /** Constraints generated from the policy. */
  constraints?: { kind: string; name: string }[];
  /** Why the policy was rejected. */
  errors?: FieldError[];
  /** What Gatekeeper's audit found with the policy's constraints (absent before the first audit). */
  violations?: ViolationsStatus;
}

/** Audit results of a policy's constraints, summed (src/reconcile/violations.ts). */
export interface ViolationsStatus {
  total: number;
  deny?: number;
  warn?: number;
  dryrun?: number;
  /** When these figures last changed (not every audit run: an unchanged result writes nothing). */
  lastChangeTime: string;
  /** The first violations in a fixed order; Gatekeeper keeps at most 20 per constraint. */
  sample: { kind: string; namespace?: string; name: string; message: string; constraint: string }[];
}

export interface ObjectMeta {
  name: string;
  generation?: number;
  resourceVersion?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

interface PolicyObject<K extends PolicyKind, P> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: PolicySpec<P>;
  status?: PolicyStatus;
}

export type SecurityPolicy = PolicyObject<'SecurityPolicy', SecurityPolicies>;
export type OperationPolicy = PolicyObject<'OperationPolicy', OperationPolicies>;
export type Policy = SecurityPolicy | OperationPolicy;

// ---------------------------------------------------------------------------------------------
// Module settings

export type PodSecurityStandard = 'Privileged' | 'Baseline' | 'Restricted';

/** Settings as written by a user: every field optional. */
export interface ModuleSettings {
  podSecurityStandards?: {
    defaultPolicy?: PodSecurityStandard;
    enforcementAction?: EnforcementAction;
    /** Also review pod controllers (Deployment, StatefulSet, ...) besides Pods. */
    controllerValidation?: boolean;
    policies?: { hostPorts?: { knownRanges?: IntRange[] } };
  };
  /** Not in the Deckhouse module: where the cluster's Gatekeeper runs (its `Config` lives there). */
  gatekeeper?: { namespace?: string };
  /** Not in the Deckhouse module: openreports.io Reports of the audit's violations. */
  policyReports?: { enabled?: boolean; maxResultsPerReport?: number };
  /** Not in the Deckhouse module: the admission routing the operator manages (README "Admission routing"). */
  admissionWebhook?: { failurePolicy?: WebhookFailurePolicy; timeoutSeconds?: number };
}

/** What the API server does with a request when Gatekeeper does not answer in time. */
export type WebhookFailurePolicy = 'Fail' | 'Ignore';

/** Settings after validation, merged over `defaultSettings`. */
export interface ResolvedSettings {
  podSecurityStandards: {
    defaultPolicy: PodSecurityStandard;
    enforcementAction: EnforcementAction;
    controllerValidation: boolean;
    policies: { hostPorts: { knownRanges: IntRange[] } };
  };
  gatekeeper: { namespace: string };
  policyReports: { enabled: boolean; maxResultsPerReport: number };
  admissionWebhook: { failurePolicy: WebhookFailurePolicy; timeoutSeconds: number };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Embedded defaults. `defaultPolicy` has no schema default in the reference (a hook derives it from
 * the cluster's install version); this product defaults it to Baseline, the choice for new clusters.
 */
export const defaultSettings: Readonly<ResolvedSettings> = deepFreeze({
  podSecurityStandards: {
    defaultPolicy: 'Baseline',
    enforcementAction: 'Deny',
    controllerValidation: true,
    policies: { hostPorts: { knownRanges: [] } },
  },
  gatekeeper: { namespace: DEFAULT_GATEKEEPER_NAMESPACE },
  policyReports: { enabled: false, maxResultsPerReport: 1000 },
  // Fail closed, as the reference's current release: a Deny policy must deny. Gatekeeper's own
  // webhook defaults are Ignore and 3 s (README "Admission routing" has the trade-off).
  admissionWebhook: { failurePolicy: 'Fail', timeoutSeconds: 3 },
});
