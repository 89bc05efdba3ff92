// The shape of one entry in the check catalog. Everything the product knows about a check lives in
// its entry plus its Rego folder (templates-rego/<rego>/), so adding a check touches nothing else.
import type { OperationPolicies, SecurityPolicies } from '../api/types.js';

/** A JSON schema fragment (OpenAPI v3 subset accepted by Gatekeeper for constraint parameters). */
export type JSONSchema = { [key: string]: unknown };

/** One element of a constraint's `spec.match.kinds`. */
export interface KindMatch {
  apiGroups: string[];
  kinds: string[];
}

/** A Gatekeeper ConstraintTemplate code engine. */
export type Engine = 'Rego' | 'K8sNativeValidation';

/** Where a check gets its parameters from. */
export type CheckSource = 'SecurityPolicy' | 'OperationPolicy' | 'BuiltIn';

/** Constraint parameters. */
export type Parameters = Record<string, unknown>;

/**
 * Paths of a policies type that a check may name in `fields`: a top-level field, or one level
 * into an object field (`seccompProfiles.allowedProfiles`). A misspelled path does not compile.
 */
export type FieldPath<P> = {
  [K in keyof P & string]: K | (NonNullable<P[K]> extends readonly unknown[] ? never
    : NonNullable<P[K]> extends object ? `${K}.${keyof NonNullable<P[K]> & string}` : never);
}[keyof P & string];

interface CheckCommon {
  /** Constraint kind, e.g. `D8HostNetwork`. The template name is `kind.toLowerCase()`. */
  kind: string;
  /**
   * Folder under `templates-rego/` holding `src.rego` and `src_test.rego`. The template's libs are
   * the `templates-rego/lib/` modules the Rego imports (`import data.lib.<name>`), found by compile.
   */
  rego: string;
  /**
   * The engines the check's code exists in. `Rego`: always (`src.rego`). `K8sNativeValidation`:
   * CEL in `templates-rego/<rego>/src.cel.yaml` that decides as the Rego does, for checks whose
   * decision needs only the reviewed object and the parameters. A check whose Rego reads the
   * inventory to decide (the exec guard, GPU namespace labels) is Rego-only. A check that reads it
   * only to waive a finding (SecurityPolicyExceptions, `syncs` below) may have CEL: it decides as
   * the Rego for objects that reference no exception (compile/template.ts says when it is served).
   */
  engines: readonly Engine[];
  /**
   * Set (with the reason) when the check's CEL, though it decides as the Rego, is not served by
   * default (`Exact`), only on request (`All`, `CEL`): its messages quote free-form strings from
   * the policy, which the Rego escapes as Go's %q does and the CEL cannot (a newline in a value
   * makes Gatekeeper and the API server drop the whole message for a generic one).
   */
  celOnRequest?: string;
  /** One sentence: what is checked. Goes into the template's annotations. */
  description: string;
  /** openAPIV3Schema `properties` of the constraint parameters; `{}` for a check without parameters. */
  parameters: Record<string, JSONSchema>;
  /** Object kinds the check reviews when a policy does not say otherwise. */
  matches: KindMatch[];
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
    baseline?: (s: PssSettings) => Parameters;
    restricted?: (s: PssSettings) => Parameters;
  };
}

/** A check fed by one policy kind's `spec.policies` (of type P). */
export interface PolicyCheck<S extends 'SecurityPolicy' | 'OperationPolicy', P> extends CheckCommon {
  source: S;
  /** The `spec.policies` fields it consumes; empty for checks only the PSS sets use. */
  fields: FieldPath<P>[];
  /**
   * Parameters for a constraint from a validated policy's `spec.policies`, or `undefined` when
   * the policy does not ask for this check (absent fields, or values that would make it a no-op).
   * Pure: never throws on a schema-valid spec. Absent: the check is PSS-only. `policy` names the
   * policy, for the few checks whose parameters carry it (D8VerifyImageSignatures).
   */
  fromPolicy?: (policies: P, policy?: { name: string }) => Parameters | undefined;
  /** Kinds from the policy itself, overriding `matches` (e.g. requiredLabels.watchKinds). */
  kindsFromPolicy?: (policies: P) => KindMatch[] | undefined;
}

/** A check independent of policies (the exec guard). */
export interface BuiltInCheck extends CheckCommon {
  source: 'BuiltIn';
}

export type SecurityCheck = PolicyCheck<'SecurityPolicy', SecurityPolicies>;
export type OperationCheck = PolicyCheck<'OperationPolicy', OperationPolicies>;
export type Check = SecurityCheck | OperationCheck | BuiltInCheck;

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
