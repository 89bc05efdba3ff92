import { describe, expect, test } from '@jest/globals';
import { ROUTING_API_VERSION, ROUTING_KIND } from '../compile/routing.js';
import { objectKey } from '../compile/types.js';
import { ROUTING_KEY, gateRouting, slimWebhookConfiguration } from './routing.js';

describe('slimWebhookConfiguration', () => {
  test('a list item (no apiVersion/kind, as the API server lists built-in types) gets its identity, so plan can key it', () => {
    const item = { metadata: { name: 'd8-admission-policy-engine-config', uid: 'u', resourceVersion: '7', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }, webhooks: [] };
    const slim = slimWebhookConfiguration(item);
    expect(slim.apiVersion).toBe(ROUTING_API_VERSION);
    expect(slim.kind).toBe(ROUTING_KIND);
    expect(objectKey(slim as never)).toBe(ROUTING_KEY);
    expect(slim.metadata).toEqual({ name: 'd8-admission-policy-engine-config', uid: 'u', resourceVersion: '7' });
  });
});

describe('gateRouting', () => {
  const routing = { apiVersion: ROUTING_API_VERSION, kind: ROUTING_KIND, metadata: { name: 'd8-admission-policy-engine-config' } };
  const other = { apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate', metadata: { name: 'x' } };
  test('until every template is ready, routing is neither applied nor deleted (an apply becomes a wait)', () => {
    const actions = [{ type: 'apply', object: routing }, { type: 'apply', object: other }] as never[];
    expect(gateRouting(actions, false)).toEqual([{ type: 'wait', object: routing, reason: 'templates are not all created yet' }, { type: 'apply', object: other }]);
    expect(gateRouting([{ type: 'delete', object: routing }] as never[], false)).toEqual([]);
    expect(gateRouting(actions, true)).toEqual(actions);
  });
});
