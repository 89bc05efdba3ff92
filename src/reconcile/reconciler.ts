// One reconcile pass, along the data flow of the architecture:
//   caches ──snapshot (pure)──► compile (pure) ──plan (pure)──► apply (I/O) ──► report (I/O)
// Holds the little state that outlives a pass: the last valid settings and the resource versions
// of our own applies. Scheduling (when a pass runs) is the controller's business.
import type { KubeClient } from '../kube/client.js';
import { ApiResources } from '../kube/discovery.js';
import { API_VERSION, MODULE_CONFIG_NAME } from '../api/types.js';
import type { Check } from '../checks/types.js';
import { compile, objectKey, type Assets, type Desired } from '../compile/index.js';
import type { CompileSettings } from '../compile/types.js';
import type { Logger } from '../util/log.js';
import { applyActions } from './apply.js';
import { ImageVerifierWiring, type ImageVerifierOptions } from './image-verifier.js';
import type { EventSink } from './events.js';
import type { Metrics } from './metrics.js';
import { plan, type Action } from './plan.js';
import { Reporter } from './report.js';
import { withForeignSyncEntries } from './config-sync.js';
import { effectiveSettings, liveObjects, namedKinds, namespaceInputs, policyInputs, readyTemplates } from './snapshot.js';
import { discoverKinds } from '../kube/discovery.js';
import { describeError } from '../kube/errors.js';
import type { Sources } from './sources.js';
import { policyReports, type ReportedStatus } from './status.js';
import { PolicyReportWriter, buildReports } from './policy-reports.js';
import { totalsByCheck, violationsBySource, type AuditSummary, type LabelledAudit } from './violations.js';
import { ROUTING_KEY, desiredRouting, gateRouting } from './routing.js';
import { policyEnforcement, type EnforcedFact } from './enforced.js';
import { kindsRouted } from '../compile/routing.js';
import { policySourceKey, type GeneratedObject } from '../compile/types.js';
import type { KindMatch } from '../checks/types.js';

export interface ReconcileReport {
  actions: Action[];
  writes: number;
  failed: string[];
  waiting: number;
  skipped?: 'not-leader' | 'not-synced';
}

export interface ReconcilerOptions {
  client: KubeClient;
  sources: Sources;
  assets: Assets;
  catalog: readonly Check[];
  gatekeeperNamespace: string;
  fieldManager: string;
  events: EventSink;
  logger: Logger;
  metrics: Metrics;
  isLeader: () => boolean;
  now: () => Date;
  /** Where the image verifier runs; absent: no verifier wiring (verifyImageSignatures then fails closed). */
  imageVerifier?: ImageVerifierOptions;
}

export class Reconciler {
  private readonly resources: ApiResources;
  private readonly reporter: Reporter;
  private readonly reports: PolicyReportWriter;
  /** Undefined until settings were valid once: a fresh replica never falls back to looser defaults. */
  private lastGoodSettings: CompileSettings | undefined;
  /** Resource versions the server returned for our own applies (see LiveState.accepted). */
  private readonly accepted = new Map<string, string>();
  private served: { kinds: Set<string>; at: number } | undefined;
  private readonly imageVerifier: ImageVerifierWiring | undefined;

  constructor(private readonly o: ReconcilerOptions) {
    this.resources = new ApiResources(o.client);
    this.imageVerifier = o.imageVerifier && new ImageVerifierWiring({
      ...o.imageVerifier, client: o.client, resources: this.resources, fieldManager: o.fieldManager, log: o.logger, now: o.now,
    });
    this.reports = new PolicyReportWriter({ client: o.client, logger: o.logger, metrics: o.metrics, fieldManager: o.fieldManager });
    this.reporter = new Reporter({
      client: o.client, events: o.events, log: o.logger, metrics: o.metrics, isLeader: o.isLeader,
    });
  }

  private settings(): CompileSettings | undefined {
    const mc = this.o.sources.moduleConfigs.get(MODULE_CONFIG_NAME);
    const r = effectiveSettings(mc, this.lastGoodSettings, this.o.gatekeeperNamespace);
    const target = { apiVersion: API_VERSION, kind: 'ModuleConfig', name: MODULE_CONFIG_NAME, uid: mc?.metadata?.uid };
    if (!r.errors) {
      this.lastGoodSettings = r.settings;
      if (r.unsupported.length > 0) {
        this.reporter.warn(target, 'UnsupportedSettings', r.unsupported.map((e) => `spec.${e.field} ${e.message}`).join('; '));
      }
    } else {
      const msg = r.errors.map((e) => `spec.settings.${e.field.replace(/^settings\./, '')}: ${e.message}`).join('; ');
      this.o.metrics.errors.inc({ where: 'settings' });
      this.reporter.warn(target, 'InvalidSettings', `${msg}; keeping the last valid settings`);
    }
    return r.settings;
  }

  /** One full pass: compile from the caches, plan against them, apply, report. */
  async reconcile(): Promise<ReconcileReport> {
    const { sources } = this.o;
    if (!sources.synced) return { actions: [], writes: 0, failed: [], waiting: 0, skipped: 'not-synced' };
    const settings = this.settings();
    if (!settings) return { actions: [], writes: 0, failed: ['the admission-policy-engine ModuleConfig is invalid and no valid settings are known yet; nothing is changed until it is fixed'], waiting: 0 };
    const policies = policyInputs(sources.securityPolicies.list(), sources.operationPolicies.list());
    const servedKinds = await this.servedKinds(namedKinds(policies));
    const desired = compile({ settings, policies, namespaces: namespaceInputs(sources.namespaces.list()), servedKinds }, this.o.assets, this.o.catalog);
    this.reporter.desiredMetrics(desired);
    if (!this.o.isLeader()) {
      // Another replica may write reports meanwhile: learn them again when leading again.
      this.reports.reset();
      return { actions: [], writes: 0, failed: [], waiting: 0, skipped: 'not-leader' };
    }

    const ready = readyTemplates(sources.templates.list());
    this.o.metrics.podSecurityDefault.reset();
    this.o.metrics.podSecurityDefault.set({ policy: settings.defaultPolicy, action: settings.enforcementAction }, 1);
    this.o.metrics.templatesNotCreated.set(desired.objects.filter((o) => o.kind === 'ConstraintTemplate' && !ready.has(o.metadata.name)).length);
    await this.syncConstraintCaches(ready);
    // Admission routing (routing.ts): derived from the constraints, gated on the templates.
    const routing = await desiredRouting(sources.routing, desired.objects, settings, ready);
    const live = liveObjects([sources.templates.list(), sources.configs.list(), sources.routing.ours.list(), ...[...sources.constraints.values()].map((w) => w.list())]);
    const retain = new Set(desired.policies.filter((p) => !p.valid && p.name).map((p) => `${p.kind}/${p.name}`));
    // Gatekeeper's Config is shared: keep the sync entries other owners put there (config-sync.ts).
    const objects: GeneratedObject[] = withForeignSyncEntries(desired.objects, live);
    if (routing.object) objects.push(routing.object);
    const toPlan = { objects, sources: desired.sources };
    const actions = gateRouting(plan(toPlan, { objects: live, readyTemplates: ready, complete: sources.synced, accepted: this.accepted }, { retainSources: retain }), routing.bootstrapped);

    // The image verifier's Provider and Secrets go in before the constraints that call it.
    const verifier = this.imageVerifier ? await this.imageVerifier.sync(desired.imageVerifier) : { writes: 0, failed: [] };
    const applied = await applyActions(actions, { client: this.o.client, resources: this.resources, fieldManager: this.o.fieldManager, log: this.o.logger, metrics: this.o.metrics, accepted: this.accepted });
    const cacheOf = (kind: string) => (kind === 'SecurityPolicy' ? sources.securityPolicies : sources.operationPolicies);
    const audits = this.audits();
    const audited = violationsBySource(audits);
    this.o.metrics.violations.reset();
    for (const t of totalsByCheck(audits)) this.o.metrics.violations.set({ source: t.source, check: t.check, action: t.action }, t.total);
    const liveRouting = sources.routing.ours.list()[0];
    this.o.metrics.admissionRouting.set(routing.object && liveRouting && !actions.some((a) => objectKey(a.object) === ROUTING_KEY) ? 1 : 0);
    const enforced = this.enforcement(desired.policies, cacheOf, (kinds) => kindsRouted(kinds, false, routing.served, liveRouting));
    // A deferred apply (constraint kind not served yet) reports as the wait it is: Pending.
    const deferred = new Set(applied.deferred);
    const outcome: Action[] = deferred.size === 0 ? actions : actions.map((a) => (deferred.has(a) && a.type === 'apply' ? { type: 'wait', object: a.object, reason: 'its constraint kind is not served yet', source: a.source } : a));
    const reports = policyReports(desired.policies, outcome, applied.failed, (kind, name) => {
      const obj = cacheOf(kind).get(name);
      return obj ? (obj.status as Partial<ReportedStatus> | undefined) : null;
    }, this.o.now, (source) => audited.get(source), (source) => enforced.get(source));
    const statusWrites = await this.reporter.policies(reports, (kind, name) => cacheOf(kind).get(name)?.metadata?.uid);
    const reportWrites = await this.reports.sync(buildReports(audits, settings.policyReports.maxResultsPerReport), settings.policyReports.enabled);
    this.reporter.namespaces(desired.namespaceIssues, (ns) => sources.namespaces.get(ns)?.metadata?.uid);
    return { actions, writes: applied.writes + statusWrites + reportWrites + verifier.writes, failed: [...applied.failed.values(), ...verifier.failed], waiting: applied.waiting };
  }

  /** Each policy's `Enforced` fact (enforced.ts), also as the ape_policy_enforced metric. */
  private enforcement(
    outcomes: Desired['policies'],
    cacheOf: (kind: string) => { get(name: string): object | undefined },
    routed: (kinds: readonly KindMatch[] | undefined) => boolean,
  ): Map<string, EnforcedFact> {
    const out = new Map<string, EnforcedFact>();
    this.o.metrics.policyEnforced.reset();
    const live = (kind: string, name: string) => {
      const c = this.o.sources.constraints.get(kind)?.get(name);
      if (!c) return undefined;
      return { enforced: (c.status as { enforced?: boolean } | undefined)?.enforced === true, kinds: (c.spec as { match?: { kinds?: KindMatch[] } } | undefined)?.match?.kinds };
    };
    for (const outcome of outcomes) {
      if (!outcome.name) continue;
      const liveStatus = (cacheOf(outcome.kind).get(outcome.name) as { status?: { constraints?: { kind: string; name: string }[] } } | undefined)?.status;
      const constraints = outcome.valid ? outcome.constraints : (liveStatus?.constraints ?? []);
      const fact = policyEnforcement(outcome, constraints, live, routed);
      out.set(policySourceKey(outcome.kind, outcome.name), fact);
      this.o.metrics.policyEnforced.set({ kind: outcome.kind, name: outcome.name }, fact.status ? 1 : 0);
    }
    return out;
  }

  /** The audit result slim.ts kept of each cached constraint that Gatekeeper has audited. */
  private audits(): LabelledAudit[] {
    const out: LabelledAudit[] = [];
    for (const watched of this.o.sources.constraints.values()) {
      for (const c of watched.list()) {
        const audit = (c.status as { audit?: AuditSummary } | undefined)?.audit;
        if (audit) out.push({ labels: c.metadata?.labels ?? {}, audit });
      }
    }
    return out;
  }

  /**
   * Kinds the API server serves, read by discovery only while some policy names kinds: at most
   * every 30 s when a named kind is missing (a CRD just installed), else every 5 minutes. On a
   * discovery error the last answer stays (or none: then kinds are not checked this pass).
   */
  private async servedKinds(named: readonly string[]): Promise<ReadonlySet<string> | undefined> {
    if (named.length === 0) return undefined;
    const now = Date.now();
    const age = this.served ? now - this.served.at : Infinity;
    const missing = named.some((k) => !this.served?.kinds.has(k));
    if (age > 300_000 || (missing && age > 30_000)) {
      try {
        this.served = { kinds: await discoverKinds(this.o.client), at: now };
      } catch (err) {
        this.o.metrics.errors.inc({ where: 'discovery' });
        this.o.logger.warn(`API discovery failed; kinds named by policies are not checked this pass: ${describeError(err)}`);
        if (this.served) this.served.at = now;
      }
    }
    return this.served?.kinds;
  }

  /**
   * Watches the constraints of every kind whose template is ready. Never plans against a constraint
   * cache that has not listed yet; gives up this pass (retried with backoff) rather than stall the
   * queue if a list keeps failing.
   */
  private async syncConstraintCaches(ready: ReadonlySet<string>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.o.sources.watchConstraints(this.o.catalog.filter((c) => ready.has(c.kind.toLowerCase())).map((c) => c.kind)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('constraint caches did not sync within 30 s')), 30_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
