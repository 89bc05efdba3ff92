// I/O: reports a reconcile back to users. Policy status (merge patch of the status subresource,
// only when it differs), Events for invalid policies, changed constraints, invalid settings and
// namespace labels (the sink deduplicates), and the metrics that describe the desired state.
import type { KubeClient } from '../kube/client.js';
import { API_GROUP, API_VERSION, type PolicyKind } from '../api/types.js';
import type { Desired, NamespaceIssue } from '../compile/types.js';
import { describeError, isNotFound } from '../kube/errors.js';
import type { Logger } from '../util/log.js';
import type { EventSink, EventTarget } from './events.js';
import type { Metrics } from './metrics.js';
import type { PolicyReport } from './status.js';
import { APPLY_CONCURRENCY } from './apply.js';
import { mapLimit } from '../util/pool.js';

const PLURALS: Record<PolicyKind, string> = { SecurityPolicy: 'securitypolicies', OperationPolicy: 'operationpolicies' };

export interface ReporterDeps {
  client: KubeClient;
  events: EventSink;
  log: Logger;
  metrics: Metrics;
  /** Only the leader records events. */
  isLeader: () => boolean;
}

export class Reporter {
  private readonly reportedNamespaceIssues = new Set<string>();

  constructor(private readonly deps: ReporterDeps) {}

  /** A Warning Event (leader only) and a log line. */
  warn(target: EventTarget, reason: string, message: string): void {
    this.deps.log.warn(`${target.kind} ${target.name}: ${reason}: ${message}`);
    if (!this.deps.isLeader()) return;
    this.deps.events.record(target, 'Warning', reason, message).catch((err: unknown) => {
      this.deps.metrics.errors.inc({ where: 'event' });
      this.deps.log.warn(`could not record event: ${describeError(err)}`);
    });
  }

  desiredMetrics(desired: Desired): void {
    const m = this.deps.metrics;
    m.policies.reset();
    for (const p of desired.policies) m.policies.inc({ kind: p.kind, state: p.valid ? 'valid' : 'invalid' });
    m.desiredObjects.reset();
    for (const o of desired.objects) {
      const group = o.kind === 'ConstraintTemplate' ? 'template' : o.apiVersion.startsWith('constraints.') ? 'constraint' : 'config';
      m.desiredObjects.inc({ group });
    }
  }

  /** Writes the statuses that changed and records the policies' events; returns the status writes. */
  async policies(reports: readonly PolicyReport[], uidOf: (kind: PolicyKind, name: string) => string | undefined): Promise<number> {
    let writes = 0;
    // Status patches of different policies are independent: bounded concurrency, like applies.
    await mapLimit(reports, APPLY_CONCURRENCY, async (r) => {
      const target: EventTarget = { apiVersion: API_VERSION, kind: r.kind, name: r.name, uid: uidOf(r.kind, r.name) };
      if (r.warning) this.warn(target, r.warning.reason, r.warning.message);
      if (r.changed) {
        this.deps.log.info(`event ConstraintsUpdated on ${r.kind}/${r.name}: ${r.changed}`);
        this.deps.events.record(target, 'Normal', 'ConstraintsUpdated', r.changed).catch((err: unknown) => this.deps.log.warn(`could not record event: ${describeError(err)}`));
      }
      if (!r.write) return;
      writes += 1;
      this.deps.metrics.apiWrites.inc({ verb: 'patch-status', kind: r.kind });
      try {
        await this.deps.client.request('PATCH', `/apis/${API_GROUP}/v1alpha1/${PLURALS[r.kind]}/${encodeURIComponent(r.name)}/status`, {
          body: { status: r.status }, contentType: 'application/merge-patch+json',
        });
      } catch (err) {
        if (isNotFound(err)) return; // deleted meanwhile
        this.deps.metrics.errors.inc({ where: 'status' });
        this.deps.log.warn(`status of ${r.kind}/${r.name}: ${describeError(err)}`);
      }
    });
    return writes;
  }

  /** One Warning Event per new invalid namespace label, and the gauge of how many there are. */
  namespaces(issues: readonly NamespaceIssue[], uidOf: (namespace: string) => string | undefined): void {
    const counts = new Map<string, number>();
    const current = new Set<string>();
    for (const issue of issues) {
      counts.set(issue.label, (counts.get(issue.label) ?? 0) + 1);
      const key = `${issue.namespace}/${issue.label}=${issue.value}`;
      current.add(key);
      if (this.reportedNamespaceIssues.has(key)) continue;
      this.reportedNamespaceIssues.add(key);
      this.warn({ apiVersion: 'v1', kind: 'Namespace', name: issue.namespace, namespace: issue.namespace, uid: uidOf(issue.namespace) }, 'InvalidLabel', issue.message);
    }
    for (const key of this.reportedNamespaceIssues) if (!current.has(key)) this.reportedNamespaceIssues.delete(key);
    this.deps.metrics.invalidNamespaceLabels.reset();
    for (const [label, n] of counts) this.deps.metrics.invalidNamespaceLabels.set({ label }, n);
  }
}
