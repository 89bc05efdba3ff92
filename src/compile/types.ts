// Inputs and outputs of the pure compiler.
import type { FieldError, LabelSelector, PolicyKind } from '../api/types.js';
import type { KindMatch } from '../checks/types.js';
import type { PolicyConfig } from '../api/image-reference.js';

export type { FieldError, LabelSelector } from '../api/types.js';

export type Standard = 'privileged' | 'baseline' | 'restricted';
export type Action = 'deny' | 'warn' | 'dryrun';
export const ACTIONS: readonly Action[] = ['deny', 'warn', 'dryrun'];
export const STANDARDS: readonly Standard[] = ['privileged', 'baseline', 'restricted'];

/** Effective module settings (validated, defaults applied). */
export interface CompileSettings {
  defaultPolicy: Standard;
  enforcementAction: Action;
  knownHostPortRanges: { min: number; max: number }[];
  /** Also review pod controllers (Deployment, ...) besides Pods. */
  controllerValidation: boolean;
  /** Namespace of the cluster's Gatekeeper, where its `Config` lives. */
  gatekeeperNamespace: string;
  /** Audit results as openreports.io Reports (written by the operator's shell, not compiled). */
  policyReports: { enabled: boolean; maxResultsPerReport: number };
  /** The admission routing the operator manages (compile/routing.ts). */
  admissionWebhook: { failurePolicy: 'Fail' | 'Ignore'; timeoutSeconds: number };
}

export interface NamespaceInput {
  name: string;
  labels: Record<string, string>;
}

/** A policy object as read from the API or a file: validated by compile, never trusted. */
export interface PolicyInput {
  apiVersion?: unknown;
  kind: PolicyKind;
  metadata?: { name?: unknown; generation?: unknown; [k: string]: unknown };
  spec?: unknown;
  /** Where it came from, for messages (file and document for `render`). */
  origin?: string;
}

export interface Snapshot {
  settings: CompileSettings;
  policies: PolicyInput[];
  namespaces: NamespaceInput[];
  /**
   * Kinds the API server serves (`<group>/<Kind>`), when known (the operator reads discovery;
   * `render` has no cluster). Kinds a policy names that are not served are reported on it.
   */
  servedKinds?: ReadonlySet<string>;
}

export interface Match {
  kinds: KindMatch[];
  scope?: 'Namespaced' | 'Cluster' | '*';
  namespaces?: string[];
  excludedNamespaces?: string[];
  namespaceSelector?: LabelSelector;
  labelSelector?: LabelSelector;
}

export interface Constraint {
  apiVersion: 'constraints.gatekeeper.sh/v1beta1';
  kind: string;
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { enforcementAction: Action; match: Match; parameters?: Record<string, unknown> };
}

export interface GeneratedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string }[];
  };
  [key: string]: unknown;
}

export interface PolicyOutcome {
  kind: PolicyInput['kind'];
  name: string;
  generation?: number;
  origin?: string;
  /** false: the policy failed validation; its previously applied constraints must be kept. */
  valid: boolean;
  errors: FieldError[];
  /** Notes that are not errors (e.g. a check dropped as a no-op). */
  notes: string[];
  /**
   * Fields the policy sets that this version accepts but does not enforce, with why. The policy's
   * other constraints apply; its status says it is not fully enforced.
   */
  unsupported: FieldError[];
  constraints: { kind: string; name: string }[];
}

export interface NamespaceIssue {
  namespace: string;
  label: string;
  value: string;
  message: string;
}

/**
 * Who an object is generated for: `<PolicyKind>/<name>` for a policy's constraints; absent for
 * objects that exist regardless of policies (templates, PSS sets, built-ins, Config).
 */
export type SourceKey = string;

export const policySourceKey = (kind: PolicyKind, name: string): SourceKey => `${kind}/${name}`;

export interface Desired {
  /** Every object to exist, in apply order (templates, Config, constraints), sorted within each group. */
  objects: GeneratedObject[];
  /** objectKey -> the policy it was generated for (policy constraints only). */
  sources: ReadonlyMap<string, SourceKey>;
  policies: PolicyOutcome[];
  namespaceIssues: NamespaceIssue[];
  /**
   * The image verifier's policies (SecurityPolicy verifyImageSignatures of valid policies, by name):
   * the operator writes them into the verifier's configuration Secret and generates the Provider
   * while the list is non-empty. Carries public keys, dockerCfg and CA: never logged or rendered.
   */
  imageVerifier?: PolicyConfig[];
}

/** Identity of a generated or live object: `<group>/<kind>/<namespace>/<name>`. */
export function objectKey(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
