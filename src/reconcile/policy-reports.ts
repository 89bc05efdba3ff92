// Audit violations as openreports.io Reports, for the tools that read them (Policy Reporter's UI and
// alerts, Kyverno's CLI). openreports.io/v1alpha1 is the successor of the Policy WG's
// wgpolicyk8s.io/v1alpha2 PolicyReport (the same fields, an independent API group maintained by
// the same people), and current Policy Reporter and Kyverno releases read it; writing the older
// group too would double every object for tools that read both.
//
// One `Report` per namespace with violations and one `ClusterReport` for cluster-scoped objects,
// each named `admission-policy-engine`. Gatekeeper lists at most `--constraint-violations-limit`
// (default 20) violations per constraint, so reports list what the audit listed; each report also
// keeps at most `maxResultsPerReport` results (the rest are counted in its summary) so a namespace
// full of violations cannot outgrow etcd's object size. Written only when the content changes.
import { MANAGED_BY, MANAGED_BY_LABEL, CHECK_LABEL, SOURCE_KIND_LABEL, SOURCE_NAME_LABEL } from '../compile/labels.js';
import { PRODUCT_NAME } from '../api/types.js';
import { ApiError, listAll, type KubeClient } from '../kube/client.js';
import { describeError } from '../kube/errors.js';
import type { Logger } from '../util/log.js';
import { byCodePoint } from '../util/order.js';
import type { Metrics } from './metrics.js';
import type { LabelledAudit } from './violations.js';

export const REPORT_API_VERSION = 'openreports.io/v1alpha1';
export const REPORT_NAME = PRODUCT_NAME;

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: 'fail' | 'warn';
  scored: boolean;
  resources: { kind: string; name: string; namespace?: string }[];
  message: string;
  properties: { enforcementAction: string; constraint: string };
}

export interface ReportObject {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'Report' | 'ClusterReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  source: string;
  configuration: { limits: { maxResults: number } };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: ReportResult[];
}

/** The Reports the audit results call for (pure; sorted by kind and namespace). */
export function buildReports(audits: readonly LabelledAudit[], maxResults: number): ReportObject[] {
  const byNamespace = new Map<string, ReportResult[]>();
  for (const { labels, audit } of audits) {
    const kind = labels[SOURCE_KIND_LABEL] ?? '';
    const policy = labels[SOURCE_NAME_LABEL] ? `${kind}/${labels[SOURCE_NAME_LABEL]}` : kind;
    for (const v of audit.violations) {
      const ns = v.namespace ?? '';
      const resource: ReportResult['resources'][number] = { kind: v.kind, name: v.name };
      if (v.namespace) resource.namespace = v.namespace;
      const result: ReportResult = {
        source: PRODUCT_NAME,
        policy,
        rule: labels[CHECK_LABEL] ?? v.constraint.split('/')[0],
        // Deny and Dryrun violations fail the policy (Dryrun only records them); Warn warns.
        result: audit.action === 'warn' ? 'warn' : 'fail',
        scored: audit.action === 'deny',
        resources: [resource],
        message: v.message,
        properties: { enforcementAction: audit.action, constraint: v.constraint },
      };
      let list = byNamespace.get(ns);
      if (!list) byNamespace.set(ns, (list = []));
      list.push(result);
    }
  }
  const reports: ReportObject[] = [];
  for (const ns of [...byNamespace.keys()].sort(byCodePoint)) {
    const all = byNamespace.get(ns)!.sort((a, b) =>
      byCodePoint(a.resources[0].kind, b.resources[0].kind) || byCodePoint(a.resources[0].name, b.resources[0].name)
      || byCodePoint(a.policy, b.policy) || byCodePoint(a.rule, b.rule) || byCodePoint(a.message, b.message));
    const metadata: ReportObject['metadata'] = { name: REPORT_NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } };
    if (ns) metadata.namespace = ns;
    reports.push({
      apiVersion: REPORT_API_VERSION,
      kind: ns ? 'Report' : 'ClusterReport',
      metadata,
      source: PRODUCT_NAME,
      configuration: { limits: { maxResults } },
      // The summary counts every result, also those past the limit.
      summary: { pass: 0, fail: all.filter((r) => r.result === 'fail').length, warn: all.filter((r) => r.result === 'warn').length, error: 0, skip: 0 },
      results: all.slice(0, maxResults),
    });
  }
  // ClusterReport ('' sorts first) last: namespaced reports in namespace order, then the cluster's.
  return [...reports.filter((r) => r.kind === 'Report'), ...reports.filter((r) => r.kind === 'ClusterReport')];
}

/** JSON with object keys sorted at every level: the API server does not keep our key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort(byCodePoint).map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What decides whether a live report needs a write: the fields we set. */
export function reportContent(o: { source?: unknown; configuration?: unknown; summary?: unknown; results?: unknown; metadata?: { labels?: unknown } }): string {
  return canonical({ source: o.source ?? null, configuration: o.configuration ?? null, summary: o.summary ?? null, results: o.results ?? [], labels: o.metadata?.labels ?? null });
}

const keyOf = (kind: string, namespace?: string) => `${kind}/${namespace ?? ''}`;
const pathOf = (kind: string, namespace?: string, name = REPORT_NAME) =>
  kind === 'Report' ? `/apis/${REPORT_API_VERSION}/namespaces/${encodeURIComponent(namespace ?? '')}/reports/${name}` : `/apis/${REPORT_API_VERSION}/clusterreports/${name}`;

export interface PolicyReportDeps {
  client: KubeClient;
  logger: Logger;
  metrics: Metrics;
  fieldManager: string;
}

/**
 * Keeps our Reports equal to the audit results (leader only; called once per reconcile). Learns
 * what exists with one list per kind on first use, then writes only reports whose content changed
 * and deletes those no longer needed. Disabled: removes the reports it finds once, then does nothing.
 */
export class PolicyReportWriter {
  /** Content of each report we own as last seen or written, by `Kind/namespace`. */
  private known: Map<string, string> | undefined;
  private unavailable = false;
  /** While the API is not served: when to look again (not on every reconcile). */
  private retryAt = 0;
  private wasEnabled = false;

  constructor(private readonly d: PolicyReportDeps) {}

  private async learn(enabled: boolean): Promise<Map<string, string> | undefined> {
    if (this.known) return this.known;
    if (Date.now() < this.retryAt) return undefined;
    const known = new Map<string, string>();
    try {
      for (const [kind, plural] of [['Report', 'reports'], ['ClusterReport', 'clusterreports']] as const) {
        const list = await listAll<ReportObject>(this.d.client, `/apis/${REPORT_API_VERSION}/${plural}`, { labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
        for (const r of list.items) if (r.metadata.name === REPORT_NAME) known.set(keyOf(kind, r.metadata.namespace), reportContent(r));
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        if (!this.unavailable && enabled) this.d.logger.warn(`policy reports are enabled but ${REPORT_API_VERSION} is not served: install the openreports.io CRDs (Policy Reporter or Kyverno install them)`);
        this.unavailable = true;
        this.retryAt = Date.now() + 60_000;
        return undefined;
      }
      throw err;
    }
    this.unavailable = false;
    return (this.known = known);
  }

  /** Applies `desired` (an empty list when disabled); returns the writes. */
  async sync(desired: readonly ReportObject[], enabled: boolean): Promise<number> {
    // Just switched on: look for the API now (the CRDs may have been installed for this).
    if (enabled && !this.wasEnabled) this.retryAt = 0;
    this.wasEnabled = enabled;
    if (!enabled && (this.unavailable || (this.known !== undefined && this.known.size === 0))) return 0;
    let known: Map<string, string> | undefined;
    try {
      known = await this.learn(enabled);
    } catch (err) {
      this.d.metrics.errors.inc({ where: 'policy-reports' });
      this.d.logger.warn(`policy reports: ${describeError(err)}`);
      return 0;
    }
    if (!known) return 0;
    const want = enabled ? desired : [];
    let writes = 0;
    const wanted = new Set<string>();
    for (const r of want) {
      const key = keyOf(r.kind, r.metadata.namespace);
      wanted.add(key);
      const content = reportContent(r);
      if (known.get(key) === content) continue;
      try {
        this.d.metrics.apiWrites.inc({ verb: 'apply', kind: r.kind });
        await this.d.client.request('PATCH', pathOf(r.kind, r.metadata.namespace), {
          body: r, contentType: 'application/apply-patch+yaml', query: { fieldManager: this.d.fieldManager, force: true },
        });
        known.set(key, content);
        writes++;
      } catch (err) {
        this.d.metrics.errors.inc({ where: 'policy-reports' });
        this.d.logger.warn(`policy report ${key}: ${describeError(err)}`);
      }
    }
    for (const key of [...known.keys()]) {
      if (wanted.has(key)) continue;
      const [kind, namespace] = key.split('/');
      try {
        this.d.metrics.apiWrites.inc({ verb: 'delete', kind });
        await this.d.client.request('DELETE', pathOf(kind, namespace || undefined));
        known.delete(key);
        writes++;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) known.delete(key);
        else {
          this.d.metrics.errors.inc({ where: 'policy-reports' });
          this.d.logger.warn(`policy report ${key}: ${describeError(err)}`);
        }
      }
    }
    return writes;
  }

  /** Forget what was learnt (a new leader term: others may have written meanwhile). */
  reset(): void {
    this.known = undefined;
  }
}
