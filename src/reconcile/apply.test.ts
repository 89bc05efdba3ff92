import { describe, expect, test } from '@jest/globals';
import { ApiError, type KubeClient } from '../kube/client.js';
import type { ApiResources } from '../kube/discovery.js';
import { makeLogger } from '../util/log.js';
import { APPLY_CONCURRENCY, ONE_WAVE_MAX, applyActions, concurrencyFor } from './apply.js';
import { Metrics } from './metrics.js';
import type { Action } from './plan.js';

const template = { apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'd8hostnetwork' } };
const constraint = (name: string) => ({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8HostNetwork', metadata: { name } });
const config = { apiVersion: 'config.gatekeeper.sh/v1alpha1', kind: 'Config', metadata: { name: 'config', namespace: 'gk' } };

/** Discovery that does not serve the constraint kind yet; the API server accepts every other apply. */
function deps(notServed: (kind: string) => boolean, failConfig = false) {
  const patched: string[] = [];
  const resources = {
    path: (obj: { kind: string; metadata: { name?: string } }) => (notServed(obj.kind)
      ? Promise.reject(new ApiError(404, `constraints.gatekeeper.sh/v1beta1 ${obj.kind} is not served by the API server`, 'NotFound'))
      : Promise.resolve(`/x/${obj.kind}/${obj.metadata.name}`)),
  } as unknown as ApiResources;
  const client = {
    request: (_m: string, path: string) => {
      if (failConfig && path.includes('Config')) return Promise.reject(new ApiError(404, 'namespaces "gk" not found', 'NotFound'));
      patched.push(path);
      return Promise.resolve({ metadata: { resourceVersion: '1' } });
    },
  } as unknown as KubeClient;
  return { patched, deps: { client, resources, fieldManager: 'ape', log: makeLogger('error', true), metrics: new Metrics(), accepted: new Map<string, string>() } };
}

describe('applyActions', () => {
  test('a constraint whose kind is not served yet is a wait (deferred), not a failure; the rest is applied', async () => {
    const d = deps((k) => k === 'D8HostNetwork');
    const actions: Action[] = [
      { type: 'apply', object: template, reason: 'create' },
      { type: 'apply', object: constraint('a'), reason: 'create' },
    ];
    const out = await applyActions(actions, d.deps);
    expect(out.failed.size).toBe(0);
    expect(out.deferred).toEqual([actions[1]]);
    expect({ writes: out.writes, waiting: out.waiting }).toEqual({ writes: 1, waiting: 1 });
    expect(d.patched).toEqual(['/x/ConstraintTemplate/d8hostnetwork']);
  });

  test('a 404 on anything but a constraint stays a failure (a missing namespace is not something to wait for)', async () => {
    const d = deps(() => false, true);
    const actions: Action[] = [{ type: 'apply', object: config, reason: 'create' }];
    const out = await applyActions(actions, d.deps);
    expect([...out.failed.values()]).toEqual([expect.stringContaining('namespaces "gk" not found')]);
    expect(out.deferred).toEqual([]);
  });
});

describe('concurrencyFor', () => {
  test('one policy\'s change goes in one wave; bulk work stays bounded', () => {
    expect(concurrencyFor(0)).toBe(1);
    expect(concurrencyFor(18)).toBe(18);
    expect(concurrencyFor(ONE_WAVE_MAX)).toBe(ONE_WAVE_MAX);
    expect(concurrencyFor(ONE_WAVE_MAX + 1)).toBe(APPLY_CONCURRENCY);
    expect(concurrencyFor(10_573)).toBe(APPLY_CONCURRENCY);
  });
});
