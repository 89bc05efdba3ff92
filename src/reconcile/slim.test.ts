import { slimGenerated, slimNamespace, slimPolicy } from './slim.js';

const managedFields = [{ manager: 'kubectl', fieldsV1: { 'f:metadata': {} } }];
/** Objects as the API server sends them: more than the cache's type describes. */
const raw = (o: object): never => o as never;

test('namespaces keep name and labels only', () => {
  const ns = raw({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', uid: 'u', resourceVersion: '7', labels: { x: 'y' }, managedFields, annotations: { big: 'x'.repeat(1000) } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  expect(slimNamespace(ns)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', uid: 'u', resourceVersion: '7', labels: { x: 'y' } } });
});

test('generated objects keep spec, labels, our annotations and status.created; drop managedFields, last-applied and Gatekeeper status detail', () => {
  const t = slimGenerated(raw({
    apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate',
    metadata: { name: 'd8x', uid: 'u', resourceVersion: '3', generation: 2, labels: { a: 'b' }, managedFields, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', mine: 'h' } },
    spec: { crd: {} }, status: { created: true, byPod: [{ id: 'gk', errors: [] }] },
  }));
  expect(t).toEqual({
    apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate',
    metadata: { name: 'd8x', uid: 'u', resourceVersion: '3', generation: 2, labels: { a: 'b' }, annotations: { mine: 'h' } }, spec: { crd: {} }, status: { created: true },
  });
  expect(slimGenerated(raw({ apiVersion: 'x/v1', kind: 'K', metadata: { name: 'c' }, spec: {}, status: { totalViolations: 3 } })).status).toBeUndefined();
});

test('policies keep spec, status and generation', () => {
  const p = slimPolicy(raw({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'p', generation: 4, managedFields }, spec: { policies: {} }, status: { observedGeneration: 4 } }));
  expect(p).toEqual({ apiVersion: 'deckhouse.io/v1alpha1', kind: 'SecurityPolicy', metadata: { name: 'p', uid: undefined, resourceVersion: undefined, generation: 4 }, spec: { policies: {} }, status: { observedGeneration: 4 } });
});

test('constraints keep their audit result without the audit time, so a new audit run with the same result changes nothing', () => {
  const constraint = (auditTimestamp: string) => slimGenerated(raw({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8A', metadata: { name: 'p', labels: { a: 'b' } }, spec: { enforcementAction: 'warn' },
    status: { auditTimestamp, totalViolations: 2, violations: [{ kind: 'Pod', namespace: 'n', name: 'x', message: 'm', enforcementAction: 'warn' }], byPod: [{ id: 'gk', enforced: true }] },
  }));
  expect(constraint('2026-01-01T00:00:00Z').status).toEqual({
    enforced: true,
    audit: { total: 2, action: 'warn', violations: [{ kind: 'Pod', namespace: 'n', name: 'x', message: 'm', constraint: 'D8A/p' }] },
  });
  expect(constraint('2026-01-01T00:01:00Z')).toEqual(constraint('2026-01-01T00:00:00Z'));
});

test('constraints keep whether every Gatekeeper pod enforces them, not the per-pod entries', () => {
  const enforced = (byPod: unknown) => (slimGenerated(raw({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind: 'D8A', metadata: { name: 'p' }, spec: {}, status: { byPod } })).status as { enforced?: boolean }).enforced;
  expect(enforced([{ id: 'a', enforced: true }, { id: 'b', enforced: true, observedGeneration: 3 }])).toBe(true);
  expect(enforced([{ id: 'a', enforced: true }, { id: 'b', errors: [{ message: 'x' }] }])).toBe(false);
  expect(enforced([])).toBe(false);
  expect(enforced(undefined)).toBe(false);
});
