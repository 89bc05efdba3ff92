// One set of builders for OperationPolicy / SecurityPolicy objects in tests, and the API calls the
// integration tests make on them. Policies are plain wire-format objects, as kubectl would send.
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, type PolicyKind } from '../../src/api/types.js';

export type Obj = { apiVersion?: string; kind?: string; metadata?: { name?: string; generation?: number; [k: string]: unknown }; spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Match = Record<string, unknown>;

/** `spec.match` selecting namespaces by name (globs allowed). */
export const matchNames = (...names: string[]): Match => ({ namespaceSelector: { matchNames: names } });
/** `spec.match` selecting namespaces by their labels. */
export const matchNamespaceLabels = (labels: Record<string, string>): Match => ({ namespaceSelector: { labelSelector: { matchLabels: labels } } });

export function policy(kind: PolicyKind, name: string, policies: Record<string, unknown>, match: Match = matchNames('default'), extra: Record<string, unknown> = {}) {
  return { apiVersion: API_VERSION, kind, metadata: { name }, spec: { ...extra, match, policies } };
}

export const securityPolicy = (name: string, policies: Record<string, unknown>, match?: Match, extra?: Record<string, unknown>) =>
  policy('SecurityPolicy', name, policies, match, extra);
export const operationPolicy = (name: string, policies: Record<string, unknown>, match?: Match, extra?: Record<string, unknown>) =>
  policy('OperationPolicy', name, policies, match, extra);

export const policyPlural = (kind: PolicyKind) => (kind === 'SecurityPolicy' ? 'securitypolicies' : 'operationpolicies');

/** Create, read, patch and delete policies through the API server. */
export function policyApi(custom: () => CustomObjectsApi) {
  const at = (kind: PolicyKind) => ({ group: API_GROUP, version: 'v1alpha1', plural: policyPlural(kind) });
  return {
    create: async (body: ReturnType<typeof policy>) => {
      await custom().createClusterCustomObject({ ...at(body.kind), body });
    },
    get: async (kind: PolicyKind, name: string) => (await custom().getClusterCustomObject({ ...at(kind), name })) as Obj,
    /** JSON patch `replace` of one path. */
    replace: async (kind: PolicyKind, name: string, path: string, value: unknown) => {
      await custom().patchClusterCustomObject({ ...at(kind), name, body: [{ op: 'replace', path, value }] });
    },
    delete: async (kind: PolicyKind, name: string) => {
      await custom().deleteClusterCustomObject({ ...at(kind), name });
    },
  };
}
