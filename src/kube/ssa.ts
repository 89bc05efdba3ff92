// Server-side apply with one field manager: send the whole desired object, let the API server
// merge, own exactly what we send. Fields we stop sending are removed by the server.
import { KubernetesObjectApi, PatchStrategy, loadYaml, type KubernetesObject } from '@kubernetes/client-node';

/**
 * client-node serializes built-in kinds through its TypeScript models, which silently drop wire
 * keys that differ from model names (`x-kubernetes-preserve-unknown-fields`, `$ref`, ...).
 * Our objects are plain wire-format JSON, so turn them into model form first; custom resources
 * have no model and pass through unchanged.
 */
function toClientModel<T extends KubernetesObject>(obj: T): T {
  return loadYaml<T>(JSON.stringify(obj));
}

export async function applyObject<T extends KubernetesObject>(api: KubernetesObjectApi, obj: T, fieldManager: string): Promise<T> {
  // managedFields and resourceVersion must not be sent with an apply patch.
  const { managedFields: _mf, resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
  const body = toClientModel({ ...obj, metadata });
  return api.patch(body, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}
