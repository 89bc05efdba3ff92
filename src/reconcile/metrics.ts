// Prometheus metrics. One registry per operator instance (tests run several in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'ape_reconcile_duration_seconds', help: 'Duration of one reconcile (compile, plan, apply, status).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly reconciles = new Counter({ name: 'ape_reconciles_total', help: 'Reconciles by result.', labelNames: ['result'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'ape_queue_depth', help: 'Reconciles waiting to run (coalesced: 0 or 1).', registers: [this.registry] });
  readonly apiWrites = new Counter({ name: 'ape_api_writes_total', help: 'Writes to the API server by verb and kind.', labelNames: ['verb', 'kind'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'ape_errors_total', help: 'Errors by where they happened.', labelNames: ['where'], registers: [this.registry] });
  readonly policies = new Gauge({ name: 'ape_policies', help: 'Policies by kind and state.', labelNames: ['kind', 'state'], registers: [this.registry] });
  readonly watchEvents = new Counter({ name: 'ape_watch_events_total', help: 'Watch restarts, relists and errors.', labelNames: ['watch', 'type'], registers: [this.registry] });
  readonly invalidNamespaceLabels = new Gauge({ name: 'ape_namespace_invalid_labels', help: 'Namespaces carrying an invalid pod-policy or pod-policy-action label.', labelNames: ['label'], registers: [this.registry] });
  readonly leader = new Gauge({ name: 'ape_is_leader', help: '1 while this replica holds the lease.', registers: [this.registry] });
  readonly violations = new Gauge({
    name: 'ape_violations', help: 'Violations Gatekeeper\'s audit reports on our constraints, by source (Kind/name), check and enforcement action.',
    labelNames: ['source', 'check', 'action'], registers: [this.registry],
  });
  readonly podSecurityDefault = new Gauge({
    name: 'ape_pod_security_default', help: 'The Pod Security Standard and action for namespaces without labels (1 for the one in force).',
    labelNames: ['policy', 'action'], registers: [this.registry],
  });
  readonly templatesNotCreated = new Gauge({
    name: 'ape_templates_not_created', help: 'ConstraintTemplates we apply that Gatekeeper has not reported created yet (not bootstrapped while > 0).',
    registers: [this.registry],
  });
  readonly policyEnforced = new Gauge({
    name: 'ape_policy_enforced', help: 'Per policy: 1 when Gatekeeper enforces every one of its constraints and requests for their kinds are routed to it (its Enforced condition), else 0.',
    labelNames: ['kind', 'name'], registers: [this.registry],
  });
  readonly admissionRouting = new Gauge({
    name: 'ape_admission_routing', help: '1 while the admission routing we manage exists as desired, 0 while it is missing, outdated or waiting for templates or Gatekeeper\'s CA.',
    registers: [this.registry],
  });
  readonly desiredObjects = new Gauge({ name: 'ape_desired_objects', help: 'Objects the last compile asked for, by kind group.', labelNames: ['group'], registers: [this.registry] });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
