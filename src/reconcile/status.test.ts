import type { PolicyOutcome } from '../compile/types.js';
import type { Action } from './plan.js';
import { desiredStatus, policyReports, resultsBySource, statusEqual, type ReportedStatus } from './status.js';

const now = () => new Date('2026-01-02T03:04:05.678Z');
const outcome = (o: Partial<PolicyOutcome> = {}): PolicyOutcome => ({
  kind: 'SecurityPolicy', name: 'p', generation: 3, valid: true, errors: [], notes: [], unsupported: [], constraints: [{ kind: 'D8A', name: 'p' }], ...o,
});
const obj = (kind: string, name: string) => ({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind, metadata: { name } });

describe('desiredStatus', () => {
  test('Applied, with observedGeneration and a second-precision transition time', () => {
    const s = desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now);
    expect(s).toEqual({
      observedGeneration: 3,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Applied', message: '1 constraint(s) in place', observedGeneration: 3, lastTransitionTime: '2026-01-02T03:04:05Z' }],
      constraints: [{ kind: 'D8A', name: 'p' }], errors: [],
    });
  });

  test('Invalid keeps the live constraints and names the first error; Pending and ApplyFailed', () => {
    const live: Partial<ReportedStatus> = { constraints: [{ kind: 'D8Old', name: 'p' }] };
    const invalid = desiredStatus(outcome({ valid: false, constraints: [], errors: [{ field: 'spec.x', message: 'bad' }, { field: 'spec.y', message: 'worse' }] }), { waiting: 0, failed: [] }, live, now);
    expect(invalid.conditions[0]).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(invalid.conditions[0].message).toBe('spec.x: bad (and 1 more, see status.errors); the constraints applied before stay in force until it is fixed');
    expect(invalid.constraints).toEqual([{ kind: 'D8Old', name: 'p' }]);
    expect(desiredStatus(outcome(), { waiting: 2, failed: [] }, undefined, now).conditions[0]).toMatchObject({ reason: 'Pending', message: '2 constraint(s) wait for Gatekeeper to create their templates' });
    expect(desiredStatus(outcome(), { waiting: 0, failed: ['apply D8A/p: HTTP 500'] }, undefined, now).conditions[0]).toMatchObject({ reason: 'ApplyFailed', message: 'could not apply: apply D8A/p: HTTP 500' });
  });

  test('Unsupported: a valid policy that sets a field this version does not enforce is not Ready', () => {
    const s = desiredStatus(outcome({ unsupported: [{ field: 'spec.policies.verifyImageSignatures', message: 'is accepted but not enforced: not implemented' }] }), { waiting: 0, failed: [] }, undefined, now);
    expect(s.conditions[0]).toMatchObject({ status: 'False', reason: 'Unsupported' });
    expect(s.conditions[0].message).toBe('not fully enforced: spec.policies.verifyImageSignatures is accepted but not enforced: not implemented; the other 1 constraint(s) are in place');
    // Waiting or failing constraints are the more urgent reason.
    expect(desiredStatus(outcome({ unsupported: [{ field: 'f', message: 'm' }] }), { waiting: 1, failed: [] }, undefined, now).conditions[0].reason).toBe('Pending');
    const [report] = policyReports([outcome({ unsupported: [{ field: 'f', message: 'm' }] })], [], new Map(), () => undefined, now);
    expect(report.warning?.reason).toBe('Unsupported');
  });

  test('the transition time is kept while the condition status stays the same', () => {
    const first = desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now);
    const later = desiredStatus(outcome({ constraints: [] }), { waiting: 0, failed: [] }, first, () => new Date('2027-01-01T00:00:00Z'));
    expect(later.conditions[0].lastTransitionTime).toBe(first.conditions[0].lastTransitionTime);
    const broken = desiredStatus(outcome(), { waiting: 1, failed: [] }, first, () => new Date('2027-01-01T00:00:00Z'));
    expect(broken.conditions[0].lastTransitionTime).toBe('2027-01-01T00:00:00Z');
  });

  test('statusEqual ignores key order (the API server sorts keys)', () => {
    const s = desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now);
    const reordered = JSON.parse(JSON.stringify({ errors: s.errors, constraints: s.constraints, conditions: s.conditions.map((c) => ({ ...c })).map((c) => Object.fromEntries(Object.entries(c).reverse())), observedGeneration: s.observedGeneration })) as ReportedStatus;
    expect(statusEqual(s, reordered)).toBe(true);
    expect(statusEqual(s, { ...s, observedGeneration: 4 })).toBe(false);
  });
});

describe('policyReports', () => {
  const applyA: Action = { type: 'apply', reason: 'create', object: obj('D8A', 'p'), source: 'SecurityPolicy/p' };
  const waitB: Action = { type: 'wait', reason: 'template d8b is not ready', object: obj('D8B', 'p'), source: 'SecurityPolicy/p' };
  const applyOther: Action = { type: 'apply', reason: 'update', object: obj('D8A', 'q'), source: 'SecurityPolicy/q' };
  const pss: Action = { type: 'apply', reason: 'create', object: obj('D8A', 'd8-pod-security-baseline-deny-default') };

  test('results are attributed by source, not by label', () => {
    const failed = new Map<Action, string>([[applyOther, 'apply D8A/q: HTTP 422']]);
    const r = resultsBySource([applyA, waitB, applyOther, pss], failed);
    expect(Object.fromEntries(r)).toEqual({ 'SecurityPolicy/p': { waiting: 1, failed: [] }, 'SecurityPolicy/q': { waiting: 0, failed: ['apply D8A/q: HTTP 422'] } });
  });

  test('a status write only when it changed; a change event only for policies whose writes all succeeded; deleted policies skipped', () => {
    const outcomes = [outcome(), outcome({ name: 'q' }), outcome({ name: 'gone' }), outcome({ name: 'bad', valid: false, errors: [{ field: 'spec', message: 'x' }] })];
    const failed = new Map<Action, string>([[applyOther, 'apply D8A/q: HTTP 422']]);
    const upToDate = desiredStatus(outcome({ name: 'q' }), { waiting: 0, failed: ['apply D8A/q: HTTP 422'] }, undefined, now);
    const reports = policyReports(outcomes, [applyA, waitB, applyOther], failed, (_k, name) => (name === 'gone' ? null : name === 'q' ? upToDate : undefined), now);
    expect(reports.map((r) => [r.name, r.write, r.status.conditions[0].reason, r.changed ?? '', r.warning?.reason ?? ''])).toEqual([
      ['p', true, 'Pending', 'applied D8A/p', ''],
      ['q', false, 'ApplyFailed', '', ''],
      ['bad', true, 'Invalid', '', 'InvalidPolicy'],
    ]);
  });
});

describe('audit results in the status', () => {
  const audit = (total: number) => ({
    total, byAction: { dryrun: total }, sample: [{ kind: 'Pod', namespace: 'a', name: 'x', message: 'privileged', constraint: 'D8A/p' }],
  });
  const later = () => new Date('2026-01-02T04:00:00Z');

  test('no audit yet: no violations field; an audit adds the totals per action and the sample', () => {
    expect(desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now).violations).toBeUndefined();
    expect(desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now, audit(3)).violations).toEqual({
      total: 3, dryrun: 3, lastChangeTime: '2026-01-02T03:04:05Z', sample: audit(3).sample,
    });
  });

  test('an unchanged result keeps its time and needs no write; a changed one moves the time and is written', () => {
    const first = desiredStatus(outcome(), { waiting: 0, failed: [] }, undefined, now, audit(3));
    const again = desiredStatus(outcome(), { waiting: 0, failed: [] }, first, later, audit(3));
    expect(again.violations?.lastChangeTime).toBe('2026-01-02T03:04:05Z');
    expect(statusEqual(first, again)).toBe(true);
    const changed = desiredStatus(outcome(), { waiting: 0, failed: [] }, first, later, audit(4));
    expect(changed.violations?.lastChangeTime).toBe('2026-01-02T04:00:00Z');
    expect(statusEqual(first, changed)).toBe(false);
  });

  test('policyReports looks the figures up by source: same-named policies of the two kinds stay apart', () => {
    const reports = policyReports(
      [outcome(), outcome({ kind: 'OperationPolicy' })], [], new Map(), () => undefined, now,
      (source) => (source === 'OperationPolicy/p' ? audit(7) : undefined),
    );
    expect(reports.map((r) => [r.kind, r.status.violations?.total])).toEqual([['SecurityPolicy', undefined], ['OperationPolicy', 7]]);
  });
});
