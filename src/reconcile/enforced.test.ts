import { describe, expect, test } from '@jest/globals';
import type { PolicyOutcome } from '../compile/types.js';
import { policyEnforcement, type LiveConstraintFacts } from './enforced.js';
import { desiredStatus, statusEqual } from './status.js';

const outcome = (o: Partial<PolicyOutcome> = {}): PolicyOutcome => ({
  kind: 'SecurityPolicy', name: 'p', generation: 1, valid: true, errors: [], notes: [], unsupported: [], constraints: [{ kind: 'D8A', name: 'p' }, { kind: 'D8B', name: 'p' }], ...o,
});
const pods = [{ apiGroups: [''], kinds: ['Pod'] }];

describe('policyEnforcement', () => {
  const all = (facts: LiveConstraintFacts | undefined) => () => facts;
  test('true only when every constraint exists, is enforced and routed', () => {
    expect(policyEnforcement(outcome(), outcome().constraints, all({ enforced: true, kinds: pods }), () => true)).toMatchObject({ status: true, reason: 'Enforced' });
    expect(policyEnforcement(outcome(), outcome().constraints, (k) => (k === 'D8A' ? { enforced: true, kinds: pods } : undefined), () => true)).toMatchObject({ status: false, reason: 'Pending', message: 'constraint(s) not created yet: D8B/p' });
    expect(policyEnforcement(outcome(), outcome().constraints, (k) => ({ enforced: k === 'D8A', kinds: pods }), () => true)).toMatchObject({ status: false, reason: 'NotEnforcedByGatekeeper' });
    expect(policyEnforcement(outcome(), outcome().constraints, all({ enforced: true, kinds: pods }), () => false)).toMatchObject({ status: false, reason: 'NotRouted' });
  });
  test('unsupported fields are not enforced; no constraints is nothing to enforce', () => {
    expect(policyEnforcement(outcome({ unsupported: [{ field: 'spec.policies.verifyImageSignatures', message: 'x' }] }), [], all(undefined), () => true)).toMatchObject({ status: false, reason: 'Unsupported' });
    expect(policyEnforcement(outcome({ constraints: [] }), [], all(undefined), () => true)).toMatchObject({ status: true, reason: 'NoConstraints' });
  });
});

describe('the Enforced condition in the status', () => {
  const now = () => new Date('2026-01-01T00:00:00Z');
  const later = () => new Date('2026-01-02T00:00:00Z');
  test('follows Ready; its transition time moves only when its status changes, so an unchanged fact writes nothing', () => {
    const fact = { status: true, reason: 'Enforced' as const, message: '2 constraint(s) enforced by Gatekeeper, requests routed' };
    const first = desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now, undefined, fact);
    expect(first.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([['Ready', 'True', 'Applied'], ['Enforced', 'True', 'Enforced']]);
    const again = desiredStatus(outcome(), { waiting: 0, failed: [] }, first, later, undefined, fact);
    expect(statusEqual(first, again)).toBe(true);
    const off = desiredStatus(outcome(), { waiting: 0, failed: [] }, first, later, undefined, { status: false, reason: 'NotRouted', message: 'm' });
    expect(off.conditions[1]).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-02T00:00:00Z' });
    expect(off.conditions[0].lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});
