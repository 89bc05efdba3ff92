import { CHECK_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { VIOLATION_SAMPLE_MAX, auditSummary, mergeViolations, totalsByCheck, violationsBySource, type AuditSummary } from './violations.js';

const violation = (name: string, namespace = 'team-a', message = `${name} is privileged`) => ({
  enforcementAction: 'deny', group: '', version: 'v1', kind: 'Pod', namespace, name, message,
});

const constraint = (kind: string, name: string, action: string | undefined, status: unknown) => ({
  kind, metadata: { name }, spec: action === undefined ? {} : { enforcementAction: action }, status,
});

describe('auditSummary', () => {
  test('reads total, time, action and the listed violations of a constraint Gatekeeper audited', () => {
    const s = auditSummary(constraint('D8PrivilegedContainer', 'mypolicy', 'dryrun', {
      auditTimestamp: '2026-12-03T10:00:00Z', totalViolations: 42, violations: [violation('p1'), violation('p2', 'team-b')],
      byPod: [{ id: 'gatekeeper-audit', enforced: true }],
    }));
    expect(s).toEqual({
      total: 42, auditTimestamp: '2026-12-03T10:00:00Z', action: 'dryrun',
      violations: [
        { kind: 'Pod', namespace: 'team-a', name: 'p1', message: 'p1 is privileged', constraint: 'D8PrivilegedContainer/mypolicy' },
        { kind: 'Pod', namespace: 'team-b', name: 'p2', message: 'p2 is privileged', constraint: 'D8PrivilegedContainer/mypolicy' },
      ],
    });
  });

  test('undefined before the first audit (no totalViolations), whatever else the status holds', () => {
    expect(auditSummary(constraint('K', 'c', 'deny', { byPod: [{ enforced: true }] }))).toBeUndefined();
    expect(auditSummary(constraint('K', 'c', 'deny', undefined))).toBeUndefined();
  });

  test('a constraint without enforcementAction denies (Gatekeeper\'s default); unknown actions count as deny', () => {
    expect(auditSummary(constraint('K', 'c', undefined, { totalViolations: 1 }))?.action).toBe('deny');
    expect(auditSummary(constraint('K', 'c', 'scoped', { totalViolations: 1 }))?.action).toBe('deny');
    expect(auditSummary(constraint('K', 'c', 'Warn', { totalViolations: 1 }))?.action).toBe('warn');
  });

  test('keeps at most VIOLATION_SAMPLE_MAX entries, clips long messages and skips junk entries', () => {
    const many = Array.from({ length: 50 }, (_, i) => violation(`p${i}`));
    many[0] = { ...many[0], message: 'x'.repeat(5000) };
    const s = auditSummary(constraint('K', 'c', 'deny', { totalViolations: 500, violations: [null, ...many] }))!;
    expect(s.total).toBe(500);
    expect(s.violations.length).toBeLessThanOrEqual(VIOLATION_SAMPLE_MAX);
    expect(s.violations[0].message.length).toBeLessThan(600);
  });
});

describe('mergeViolations', () => {
  const a: AuditSummary = { total: 3, action: 'deny', auditTimestamp: '2026-12-03T10:00:05Z', violations: [
    { kind: 'Pod', namespace: 'b', name: 'x', message: 'm', constraint: 'K1/c' },
  ] };
  const b: AuditSummary = { total: 2, action: 'dryrun', auditTimestamp: '2026-12-03T10:00:01Z', violations: [
    { kind: 'Pod', namespace: 'a', name: 'y', message: 'm', constraint: 'K2/c' },
  ] };
  const clean: AuditSummary = { total: 0, action: 'warn', auditTimestamp: '2026-12-03T10:00:09Z', violations: [] };

  test('sums totals per action, keeps the oldest audit time and orders the sample by namespace, kind, name', () => {
    expect(mergeViolations([a, b, clean])).toEqual({
      total: 5, byAction: { deny: 3, dryrun: 2 }, auditTimestamp: '2026-12-03T10:00:01Z',
      sample: [b.violations[0], a.violations[0]],
    });
  });

  test('the same result whatever order the constraints come in', () => {
    expect(mergeViolations([clean, b, a])).toEqual(mergeViolations([a, b, clean]));
  });

  test('no constraints: zero and no audit time', () => {
    expect(mergeViolations([])).toEqual({ total: 0, byAction: {}, sample: [] });
  });
});

describe('violationsBySource and totalsByCheck', () => {
  const labels = (kind: string, name: string | undefined, check: string) => ({
    [SOURCE_KIND_LABEL]: kind, ...(name ? { [SOURCE_NAME_LABEL]: name } : {}), [CHECK_LABEL]: check,
  });
  const audit = (total: number, action: AuditSummary['action'] = 'deny'): AuditSummary => ({ total, action, violations: [] });
  const constraints = [
    { labels: labels('SecurityPolicy', 'mypolicy', 'D8PrivilegedContainer'), audit: audit(2) },
    { labels: labels('SecurityPolicy', 'mypolicy', 'D8HostNetwork'), audit: audit(1) },
    { labels: labels('OperationPolicy', 'mypolicy', 'D8AllowedRepos'), audit: audit(4, 'warn') },
    { labels: labels('PodSecurityStandard', 'baseline', 'D8HostNetwork'), audit: audit(7, 'dryrun') },
    { labels: labels('PodSecurityStandard', 'baseline', 'D8HostNetwork'), audit: audit(1, 'deny') },
  ];

  test('groups by the ownership labels: same-named policies of the two kinds stay apart', () => {
    const by = violationsBySource(constraints);
    expect(by.get('SecurityPolicy/mypolicy')).toMatchObject({ total: 3, byAction: { deny: 3 } });
    expect(by.get('OperationPolicy/mypolicy')).toMatchObject({ total: 4, byAction: { warn: 4 } });
    expect(by.get('PodSecurityStandard/baseline')).toMatchObject({ total: 8, byAction: { dryrun: 7, deny: 1 } });
  });

  test('totals per source, check and action, in a fixed order', () => {
    expect(totalsByCheck(constraints)).toEqual([
      { source: 'OperationPolicy/mypolicy', check: 'D8AllowedRepos', action: 'warn', total: 4 },
      { source: 'PodSecurityStandard/baseline', check: 'D8HostNetwork', action: 'deny', total: 1 },
      { source: 'PodSecurityStandard/baseline', check: 'D8HostNetwork', action: 'dryrun', total: 7 },
      { source: 'SecurityPolicy/mypolicy', check: 'D8HostNetwork', action: 'deny', total: 1 },
      { source: 'SecurityPolicy/mypolicy', check: 'D8PrivilegedContainer', action: 'deny', total: 2 },
    ]);
  });
});
