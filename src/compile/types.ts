// Inputs and outputs of the pure compiler.
import type { KindMatch } from '../checks/types.js';

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
}

export interface NamespaceInput {
  name: string;
  labels: Record<string, string>;
}

/** A policy object as read from the API or a file: validated by compile, never trusted. */
export interface PolicyInput {
  apiVersion?: unknown;
  kind: 'OperationPolicy' | 'SecurityPolicy';
  metadata?: { name?: unknown; generation?: unknown; [k: string]: unknown };
  spec?: unknown;
  /** Where it came from, for messages (file and document for `render`). */
  origin?: string;
}

export interface Snapshot {
  settings: CompileSettings;
  policies: PolicyInput[];
  namespaces: NamespaceInput[];
}

export interface Match {
  kinds: KindMatch[];
  scope?: 'Namespaced' | 'Cluster' | '*';
  namespaces?: string[];
  excludedNamespaces?: string[];
  namespaceSelector?: LabelSelector;
  labelSelector?: LabelSelector;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
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
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface FieldError {
  field: string;
  message: string;
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
  constraints: { kind: string; name: string }[];
}

export interface NamespaceIssue {
  namespace: string;
  label: string;
  value: string;
  message: string;
}

export interface Desired {
  /** Every object to exist, in apply order (templates, Config, constraints), sorted within each group. */
  objects: GeneratedObject[];
  policies: PolicyOutcome[];
  namespaceIssues: NamespaceIssue[];
}
