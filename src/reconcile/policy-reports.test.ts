import { CHECK_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { buildReports, reportContent } from './policy-reports.js';
import type { AuditSummary, LabelledAudit } from './violations.js';

const labels = (kind: string, name: string | undefined, check: string) => ({
  [SOURCE_KIND_LABEL]: kind, ...(name ? { [SOURCE_NAME_LABEL]: name } : {}), [CHECK_LABEL]: check,
});
const audit = (action: AuditSummary['action'], violations: AuditSummary['violations']): AuditSummary => ({ total: violations.length, action, violations });
const v = (namespace: string | undefined, name: string, constraint: string, kind = 'Pod') => ({ kind, name, message: `${name} violates`, constraint, ...(namespace ? { namespace } : {}) });

const audits: LabelledAudit[] = [
  { labels: labels('SecurityPolicy', 'sec', 'D8PrivilegedContainer'), audit: audit('dryrun', [v('b', 'p2', 'D8PrivilegedContainer/sec'), v('a', 'p1', 'D8PrivilegedContainer/sec')]) },
  { labels: labels('OperationPolicy', 'ops', 'D8RequiredLabels'), audit: audit('warn', [v(undefined, 'team-x', 'D8RequiredLabels/ops', 'Namespace')]) },
  { labels: labels('PodSecurityStandard', 'baseline', 'D8HostNetwork'), audit: audit('deny', [v('a', 'p0', 'D8HostNetwork/d8-pod-security-baseline-deny-default')]) },
];

test('one Report per namespace and a ClusterReport for cluster-scoped objects, results in a fixed order', () => {
  const reports = buildReports(audits, 100);
  expect(reports.map((r) => [r.kind, r.metadata.namespace, r.summary.fail, r.summary.warn])).toEqual([
    ['Report', 'a', 2, 0], ['Report', 'b', 1, 0], ['ClusterReport', undefined, 0, 1],
  ]);
  const a = reports[0];
  expect(a.metadata).toEqual({ name: 'admission-policy-engine', namespace: 'a', labels: { 'app.kubernetes.io/managed-by': 'admission-policy-engine' } });
  expect(a.results).toEqual([
    {
      source: 'admission-policy-engine', policy: 'PodSecurityStandard/baseline', rule: 'D8HostNetwork', result: 'fail', scored: true,
      resources: [{ kind: 'Pod', name: 'p0', namespace: 'a' }], message: 'p0 violates',
      properties: { enforcementAction: 'deny', constraint: 'D8HostNetwork/d8-pod-security-baseline-deny-default' },
    },
    {
      source: 'admission-policy-engine', policy: 'SecurityPolicy/sec', rule: 'D8PrivilegedContainer', result: 'fail', scored: false,
      resources: [{ kind: 'Pod', name: 'p1', namespace: 'a' }], message: 'p1 violates',
      properties: { enforcementAction: 'dryrun', constraint: 'D8PrivilegedContainer/sec' },
    },
  ]);
  expect(reports[2].results[0]).toMatchObject({ policy: 'OperationPolicy/ops', result: 'warn', resources: [{ kind: 'Namespace', name: 'team-x' }] });
});

test('past maxResults the results are cut but the summary counts them all', () => {
  const many: LabelledAudit = {
    labels: labels('SecurityPolicy', 'sec', 'D8PrivilegedContainer'),
    audit: audit('deny', Array.from({ length: 30 }, (_, i) => v('a', `p${String(i).padStart(2, '0')}`, 'D8PrivilegedContainer/sec'))),
  };
  const [r] = buildReports([many], 10);
  expect(r.results).toHaveLength(10);
  expect(r.summary.fail).toBe(30);
  expect(r.configuration).toEqual({ limits: { maxResults: 10 } });
});

test('no violations, no reports; content compares equal whatever the key order the API server returns', () => {
  expect(buildReports([{ labels: labels('SecurityPolicy', 'x', 'K'), audit: audit('deny', []) }], 10)).toEqual([]);
  const [r] = buildReports(audits, 100);
  const reordered = JSON.parse(JSON.stringify({ results: r.results, summary: r.summary, source: r.source, configuration: r.configuration, metadata: { labels: r.metadata.labels, name: 'x' } })) as typeof r;
  expect(reportContent(reordered)).toBe(reportContent(r));
  expect(reportContent({ ...r, summary: { ...r.summary, fail: 9 } })).not.toBe(reportContent(r));
});
