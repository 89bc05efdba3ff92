// Prometheus metrics of the verifier. One registry per instance (tests run several in a process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class VerifyMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'ape_verify_provider_requests_total', help: 'Provider requests from Gatekeeper by result (ok, system_error, bad_request).',
    labelNames: ['result'], registers: [this.registry],
  });
  readonly requestDuration = new Histogram({
    name: 'ape_verify_provider_request_duration_seconds', help: 'Time to answer one provider request.',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5], registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'ape_verify_verifications_total', help: 'Keys answered, by result (verified, not_verified, error, transient) and signature format.',
    labelNames: ['result', 'format'], registers: [this.registry],
  });
  readonly mutations = new Counter({
    name: 'ape_verify_mutations_total', help: 'Images answered on the mutation endpoint, by result (verified = pinned or unchanged, error, transient) and format (pinned, unchanged).',
    labelNames: ['result', 'format'], registers: [this.registry],
  });
  readonly cache = new Counter({
    name: 'ape_verify_cache_total', help: 'Cache lookups by cache (verdict, tag) and result (hit, miss, coalesced).',
    labelNames: ['cache', 'result'], registers: [this.registry],
  });
  readonly registryLatency = new Histogram({
    name: 'ape_verify_registry_request_duration_seconds', help: 'Registry round trips by operation and HTTP status (or error).',
    labelNames: ['op', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'ape_verify_failures_total', help: 'Keys not verified, by reason.', labelNames: ['reason'], registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: 'ape_verify_reloads_total', help: 'Reloads of the configuration and TLS files by what and result.',
    labelNames: ['what', 'result'], registers: [this.registry],
  });
  readonly policies = new Gauge({ name: 'ape_verify_policies', help: 'Policies in the loaded configuration.', registers: [this.registry] });
  readonly cacheEntries = new Gauge({ name: 'ape_verify_cache_entries', help: 'Verdicts cached.', registers: [this.registry] });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }
}
