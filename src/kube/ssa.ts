// Server-side apply with one field manager: send the whole desired object, let the API server
// merge, own exactly what we send. Fields we stop sending are removed by the server.
import type { KubeClient } from './client.js';
import type { ApiResources } from './discovery.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export async function applyObject<T extends KubeObject>(client: KubeClient, resources: ApiResources, obj: T, fieldManager: string): Promise<T> {
  // managedFields and resourceVersion must not be sent with an apply patch.
  const { managedFields: _mf, resourceVersion: _rv, ...metadata } = obj.metadata;
  return client.request<T>('PATCH', await resources.path(obj), {
    body: { ...obj, metadata }, contentType: 'application/apply-patch+yaml', query: { fieldManager, force: true },
  });
}

export async function deleteObject(client: KubeClient, resources: ApiResources, obj: KubeObject): Promise<void> {
  await client.request('DELETE', await resources.path(obj));
}
