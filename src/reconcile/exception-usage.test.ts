import { USED_BY_MAX, WORKLOAD_KINDS, exceptionUsage, toWorkload, type Workload } from './exception-usage.js';

const POD = 'security.deckhouse.io/security-policy-exception';
const CONTAINER = 'security.deckhouse.io/security-policy-exception.container.';
const w = (kind: string, name: string, podLabels: Record<string, string>, namespace = 'team-a'): Workload => ({ kind, namespace, name, podLabels });

describe('exceptionUsage', () => {
  const exceptions = [{ namespace: 'team-a', name: 'sidecar', generation: 2 }, { namespace: 'team-a', name: 'unused' }, { namespace: 'team-b', name: 'sidecar' }];

  test('counts pod-level and container-level references in the exception\'s own namespace only', () => {
    const usage = exceptionUsage(exceptions, [
      w('Deployment', 'web', { [`${CONTAINER}proxy`]: 'sidecar', [`${CONTAINER}app`]: 'sidecar' }),
      w('Pod', 'debug', { [POD]: 'sidecar' }),
      w('Pod', 'other-ns', { [POD]: 'sidecar' }, 'team-c'),
      w('Pod', 'missing', { [POD]: 'does-not-exist' }),
      w('Pod', 'empty', { [POD]: '' }),
    ]);
    expect(usage.get('team-a/sidecar')).toEqual({
      usedBy: { count: 2, objects: [{ kind: 'Deployment', name: 'web', containers: ['app', 'proxy'] }, { kind: 'Pod', name: 'debug' }] },
      message: 'referenced by 2 workload(s)',
      observedGeneration: 2,
    });
    expect(usage.get('team-b/sidecar')?.usedBy.count).toBe(0);
  });

  test('an exception nothing uses says so', () => {
    expect(exceptionUsage(exceptions, []).get('team-a/unused')).toEqual({
      usedBy: { count: 0, objects: [] }, message: 'no workload in the namespace references this exception; remove it if it is no longer needed',
    });
  });

  test('the count is exact, the list capped and sorted by kind and name', () => {
    const many = Array.from({ length: 50 }, (_, i) => w('Pod', `p-${String(i).padStart(2, '0')}`, { [POD]: 'sidecar' }));
    const status = exceptionUsage(exceptions, [...many].reverse()).get('team-a/sidecar')!;
    expect(status.usedBy.count).toBe(50);
    expect(status.usedBy.objects).toHaveLength(USED_BY_MAX);
    expect(status.usedBy.objects[0].name).toBe('p-00');
  });
});

describe('toWorkload', () => {
  test('objects a controller owns are not counted again (the owner is the use)', () => {
    const owned = { metadata: { name: 'web-abc', namespace: 'n', ownerReferences: [{ kind: 'ReplicaSet', name: 'web', controller: true }] } };
    expect(toWorkload('Pod', owned, {})).toBeUndefined();
    const adopted = { metadata: { name: 'p', namespace: 'n', ownerReferences: [{ kind: 'X', name: 'x' }] } };
    expect(toWorkload('Pod', adopted, {})).toEqual({ kind: 'Pod', namespace: 'n', name: 'p', podLabels: {} });
  });

  test('pod labels are read where each kind keeps them', () => {
    const labels = { [POD]: 'e' };
    const cron = { spec: { jobTemplate: { spec: { template: { metadata: { labels } } } } } };
    expect(WORKLOAD_KINDS.find((k) => k.kind === 'CronJob')!.podLabels(cron)).toEqual(labels);
    expect(WORKLOAD_KINDS.find((k) => k.kind === 'Deployment')!.podLabels({ spec: { template: { metadata: { labels } } } })).toEqual(labels);
    expect(WORKLOAD_KINDS.find((k) => k.kind === 'Pod')!.podLabels({ metadata: { labels } })).toEqual(labels);
  });
});
