// The shape of one entry in the check catalog. Everything the product knows about a check lives in
// its entry plus its Rego folder (templates-rego/<rego>/), so adding a check touches nothing else.

/** A JSON schema fragment (OpenAPI v3 subset accepted by Gatekeeper for constraint parameters). */
export type JSONSchema = { [key: string]: unknown };

/** One element of a constraint's `spec.match.kinds`. */
export interface KindMatch {
  apiGroups: string[];
  kinds: string[];
}

/** Where a check gets its parameters from. */
export type CheckSource = 'SecurityPolicy' | 'OperationPolicy' | 'BuiltIn';

export interface Check {
  /** Constraint kind, e.g. `D8HostNetwork`. The template name is `kind.toLowerCase()`. */
  kind: string;
  /** Folder under `templates-rego/` holding `src.rego` and `src_test.rego`. */
  rego: string;
  /** Shared library modules from `templates-rego/lib/` (file stem, e.g. `pods`) the Rego imports. */
  libs: string[];
  /** One sentence: what is checked. Goes into the template's annotations. */
  description: string;
  /** openAPIV3Schema `properties` of the constraint parameters; `{}` for a check without parameters. */
  parameters: Record<string, JSONSchema>;
  /** Object kinds the check reviews when a policy does not say otherwise. */
  matches: KindMatch[];
  /** Which policy kind feeds it, and which of its `spec.policies` fields (dotted paths). */
  source: CheckSource;
  fields: string[];
  /**
   * Parameters for a constraint from the policy's `spec.policies`, or `undefined` when the policy
   * does not ask for this check (absent fields, or values that would make it a no-op).
   * Pure: never throws on a schema-valid spec.
   */
  fromPolicy?: (policies: Record<string, unknown>) => Record<string, unknown> | undefined;
  /**
   * Kinds from the policy itself, overriding `matches` (e.g. requiredLabels.watchKinds).
   * Undefined: use `matches`.
   */
  kindsFromPolicy?: (policies: Record<string, unknown>) => KindMatch[] | undefined;
  /**
   * Inventory the Rego reads (Gatekeeper `Config` sync list entries), if any.
   * Most checks read only the reviewed object and their parameters.
   */
  syncs?: { group: string; version: string; kind: string }[];
  /**
   * Parameters that make this check enforce a Pod Security Standards control exactly as upstream
   * Pod Security Admission v1.37 does, per level. Absent: the check plays no part in that level.
   * A restricted namespace gets both the baseline and the restricted constraints.
   */
  pss?: {
    baseline?: (s: PssSettings) => Record<string, unknown>;
    restricted?: (s: PssSettings) => Record<string, unknown>;
  };
}

/** Module settings that shape the PSS parameters. */
export interface PssSettings {
  /** `podSecurityStandards.policies.hostPorts.knownRanges`: hostPort ranges baseline tolerates. */
  knownHostPortRanges: { min: number; max: number }[];
}

/** Kinds whose objects carry a pod spec: the pod itself and every controller that templates one. */
export const podKinds: KindMatch[] = [
  { apiGroups: [''], kinds: ['Pod'] },
];

/**
 * Pods and the controllers that template them. ReplicaSet is deliberately left out, as in the
 * reference: users create Deployments, whose pod template is already reviewed, and a denied
 * ReplicaSet only shows up as a stuck rollout. The Rego still understands ReplicaSets.
 */
export const podsAndControllers: KindMatch[] = [
  { apiGroups: [''], kinds: ['Pod', 'ReplicationController', 'PodTemplate'] },
  { apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet', 'DaemonSet'] },
  { apiGroups: ['batch'], kinds: ['Job', 'CronJob'] },
];
