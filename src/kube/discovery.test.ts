import { servedKinds } from './discovery.js';

test('servedKinds reads aggregated discovery of the core group and the named groups', () => {
  const core = { items: [{ metadata: { name: '' }, versions: [{ resources: [{ resource: 'pods', responseKind: { group: '', version: 'v1', kind: 'Pod' } }, { resource: 'namespaces', responseKind: { group: '', version: 'v1', kind: 'Namespace' } }] }] }] };
  const groups = { items: [
    { metadata: { name: 'apps' }, versions: [{ resources: [{ resource: 'deployments', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' } }] }] },
    { metadata: { name: 'example.com' }, versions: [{ resources: [{ resource: 'widgets', responseKind: { kind: 'Widget' } }] }, { resources: [] }] },
    // Built-in groups answer with an empty responseKind group.
    { metadata: { name: 'admissionregistration.k8s.io' }, versions: [{ version: 'v1', resources: [{ resource: 'validatingwebhookconfigurations', responseKind: { group: '', version: '', kind: 'ValidatingWebhookConfiguration' } }] }] },
  ] };
  expect([...servedKinds([core, groups])].sort()).toEqual(['/Namespace', '/Pod', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'apps/Deployment', 'example.com/Widget']);
  expect(servedKinds([{}, { items: [{}] }]).size).toBe(0);
});
