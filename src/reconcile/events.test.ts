import { describe, expect, test } from '@jest/globals';
import { ApiError, type KubeClient } from '../kube/client.js';
import { KubeEvents, eventName } from './events.js';

/** An API server's events collection: create refuses an existing name with 409, as the real one does. */
function fakeClient() {
  const stored = new Map<string, Record<string, unknown>>();
  const calls: string[] = [];
  const client = {
    request: (method: string, path: string, opts: { body?: Record<string, unknown>; contentType?: string } = {}) => {
      calls.push(`${method} ${path}`);
      if (method === 'POST') {
        const name = (opts.body!.metadata as { name: string }).name;
        if (stored.has(name)) return Promise.reject(new ApiError(409, `events "${name}" already exists`, 'AlreadyExists'));
        stored.set(name, opts.body!);
        return Promise.resolve(opts.body);
      }
      if (method === 'PATCH') {
        const name = decodeURIComponent(path.split('/').pop()!);
        expect(opts.contentType).toBe('application/merge-patch+json');
        Object.assign(stored.get(name)!, opts.body);
        return Promise.resolve(stored.get(name));
      }
      return Promise.reject(new Error(`unexpected ${method} ${path}`));
    },
  } as unknown as KubeClient;
  return { client, stored, calls };
}

const policy = { apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', name: 'sp', uid: 'u-1' };

describe('KubeEvents', () => {
  test('the name depends on object (uid included), reason and message only, and stays within 253 characters', () => {
    expect(eventName(policy, 'InvalidPolicy', 'a')).toBe(eventName(policy, 'InvalidPolicy', 'a'));
    expect(eventName(policy, 'InvalidPolicy', 'a')).not.toBe(eventName(policy, 'InvalidPolicy', 'b'));
    expect(eventName(policy, 'InvalidPolicy', 'a')).not.toBe(eventName({ ...policy, uid: 'u-2' }, 'InvalidPolicy', 'a'));
    expect(eventName(policy, 'InvalidPolicy', 'a')).not.toBe(eventName(policy, 'Applied', 'a'));
    const long = eventName({ ...policy, name: 'x'.repeat(253) }, 'R', 'm');
    expect(long.length).toBe(253);
    expect(long).toMatch(/\.[0-9a-f]{16}$/);
  });

  test('the same message is recorded once; a restarted replica creates nothing new and says nothing more', async () => {
    const api = fakeClient();
    let writes = 0;
    const first = new KubeEvents(api.client, 'ape', () => writes++);
    await first.record(policy, 'Warning', 'InvalidPolicy', 'bad field');
    await first.record(policy, 'Warning', 'InvalidPolicy', 'bad field');
    expect(api.stored.size).toBe(1);
    expect(writes).toBe(1);
    const restarted = new KubeEvents(api.client, 'ape', () => writes++);
    await restarted.record(policy, 'Warning', 'InvalidPolicy', 'bad field');
    await restarted.record(policy, 'Warning', 'InvalidPolicy', 'bad field');
    expect(api.stored.size).toBe(1);
    expect(api.calls.filter((c) => c.startsWith('PATCH'))).toEqual([]);
    expect(api.calls.filter((c) => c.startsWith('GET'))).toEqual([]);
  });

  test('a message that comes back after another one updates the existing event\'s lastTimestamp', async () => {
    const api = fakeClient();
    const events = new KubeEvents(api.client, 'ape', () => undefined);
    await events.record(policy, 'Warning', 'InvalidPolicy', 'A');
    const name = eventName(policy, 'InvalidPolicy', 'A');
    api.stored.get(name)!.lastTimestamp = '2000-01-01T00:00:00.000Z';
    await events.record(policy, 'Warning', 'InvalidPolicy', 'B');
    await events.record(policy, 'Warning', 'InvalidPolicy', 'A');
    expect(api.stored.size).toBe(2);
    expect(api.stored.get(name)!.lastTimestamp).not.toBe('2000-01-01T00:00:00.000Z');
    expect(api.calls.filter((c) => c.startsWith('PATCH'))).toEqual([`PATCH /api/v1/namespaces/default/events/${name}`]);
  });

  test('errors other than 409 propagate (the caller retries)', async () => {
    const client = { request: () => Promise.reject(new ApiError(403, 'forbidden', 'Forbidden')) } as unknown as KubeClient;
    await expect(new KubeEvents(client, 'ape', () => undefined).record(policy, 'Warning', 'R', 'm')).rejects.toThrow('forbidden');
  });
});
