import { describe, expect, test } from '@jest/globals';
import { ApiError, type KubeClient } from '../kube/client.js';
import type { ApiResources } from '../kube/discovery.js';
import { makeLogger } from '../util/log.js';
import { ImageVerifierWiring } from './image-verifier.js';

/** An API server holding `present` (paths); every other GET is 404. */
function wiring(present: Set<string>) {
  const calls: string[] = [];
  const client = {
    request: (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      if (!present.has(path)) return Promise.reject(new ApiError(404, 'not found', 'NotFound'));
      if (method === 'DELETE') present.delete(path);
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  const resources = { path: (o: { kind: string; metadata: { name: string } }) => Promise.resolve(`/${o.kind}/${o.metadata.name}`) } as unknown as ApiResources;
  const w = new ImageVerifierWiring({ namespace: 'gk', client, resources, fieldManager: 'ape', log: makeLogger('error', true), now: () => new Date(0) });
  return { w, calls };
}

describe('ImageVerifierWiring without verifying policies', () => {
  test('a start with nothing to remove only reads: no DELETE, no write', async () => {
    const { w, calls } = wiring(new Set());
    expect(await w.sync([])).toEqual({ writes: 0, failed: [] });
    expect(calls.filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(calls).toHaveLength(3);
    // Known absent afterwards: later passes do not even read.
    await w.sync(undefined);
    expect(calls).toHaveLength(3);
  });

  test('what a previous run left behind is deleted, and only that', async () => {
    const { w, calls } = wiring(new Set(['/Secret/ape-image-verifier-config']));
    expect(await w.sync([])).toEqual({ writes: 1, failed: [] });
    expect(calls.filter((c) => c.startsWith('DELETE '))).toEqual(['DELETE /Secret/ape-image-verifier-config']);
  });
});
