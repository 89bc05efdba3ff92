// The operator's view of the cluster: one resilient list+watch cache per input and per kind of
// object we generate. Every change only marks the world dirty; reconcile reads the caches.
import { listAll, type KubeClient } from '../kube/client.js';
import type { Check } from '../checks/types.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../compile/labels.js';
import { Watched, type KubernetesObject, type WatchedEvent } from '../kube/watched.js';
import { slimGenerated, slimNamespace, slimPolicy } from './slim.js';
import { RoutingSources } from './routing.js';
import { MODULE_CONFIG_NAME } from '../api/types.js';

/** The one Gatekeeper Config Gatekeeper reads (compile/builtins.ts writes it). */
const GATEKEEPER_CONFIG_NAME = 'config';

export interface SourceOptions {
  gatekeeperNamespace: string;
  onChange: () => void;
  onEvent: (watch: string, e: WatchedEvent) => void;
  /** Test knob: shorter watch timeouts and backoff. */
  watchTimeoutSeconds?: number;
}

type Obj = KubernetesObject & Record<string, unknown>;

const OWNED = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export class Sources {
  readonly securityPolicies: Watched<Obj>;
  readonly operationPolicies: Watched<Obj>;
  readonly namespaces: Watched<Obj>;
  readonly moduleConfigs: Watched<Obj>;
  readonly templates: Watched<Obj>;
  readonly configs: Watched<Obj>;
  /**
   * Constraint kind -> cache of our constraints of that kind. Created once the kind's template is
   * ready: before that its CRD does not exist, so there is nothing to watch and nothing to prune.
   */
  readonly constraints = new Map<string, Watched<Obj>>();
  private readonly makeConstraintWatch: (kind: string) => Watched<Obj>;
  /** Webhook configurations and other owners' templates and constraints (admission routing). */
  readonly routing: RoutingSources;

  constructor(client: KubeClient, catalog: readonly Check[], opts: SourceOptions) {
    const make = (name: string, path: string, transform: (o: Obj) => Obj, labelSelector?: string, maxBackoffMs = 30000, fieldSelector?: string) =>
      new Watched<Obj>(client, {
        name, path, labelSelector, fieldSelector, transform,
        // Plain JSON in pages: no client models, bounded responses. A missing resource (Gatekeeper
        // not installed yet) is a list error: the cache retries with backoff and stays unsynced,
        // so nothing is pruned against an empty view.
        list: ({ labelSelector: selector }) => listAll<Obj>(client, path, { labelSelector: selector, fieldSelector }),
        onChange: opts.onChange,
        onEvent: (e) => opts.onEvent(name, e),
        watchTimeoutSeconds: opts.watchTimeoutSeconds,
        backoff: { initialMs: 500, maxMs: maxBackoffMs },
      });
    this.securityPolicies = make('securitypolicies', '/apis/deckhouse.io/v1alpha1/securitypolicies', slimPolicy);
    this.operationPolicies = make('operationpolicies', '/apis/deckhouse.io/v1alpha1/operationpolicies', slimPolicy);
    // Singletons by name: a metadata.name field selector, so RBAC grants them by resourceNames.
    this.moduleConfigs = make('moduleconfigs', '/apis/deckhouse.io/v1alpha1/moduleconfigs', slimPolicy, undefined, 30000, `metadata.name=${MODULE_CONFIG_NAME}`);
    this.namespaces = make('namespaces', '/api/v1/namespaces', slimNamespace);
    this.templates = make('constrainttemplates', '/apis/templates.gatekeeper.sh/v1/constrainttemplates', slimGenerated, OWNED);
    this.configs = make('gatekeeper-configs', `/apis/config.gatekeeper.sh/v1alpha1/namespaces/${opts.gatekeeperNamespace}/configs`, slimGenerated, undefined, 10000, `metadata.name=${GATEKEEPER_CONFIG_NAME}`);
    this.routing = new RoutingSources(client, { onChange: opts.onChange, onEvent: opts.onEvent, watchTimeoutSeconds: opts.watchTimeoutSeconds });
    this.knownKinds = new Set(catalog.map((c) => c.kind));
    this.makeConstraintWatch = (kind) => {
      const plural = kind.toLowerCase();
      return make(`constraints/${plural}`, `/apis/constraints.gatekeeper.sh/v1beta1/${plural}`, slimGenerated, OWNED, 5000);
    };
  }

  private readonly knownKinds: Set<string>;

  private base(): Watched<Obj>[] {
    return [this.securityPolicies, this.operationPolicies, this.namespaces, this.moduleConfigs, this.templates, this.configs];
  }

  all(): Watched<Obj>[] {
    return [...this.base(), ...this.constraints.values(), ...this.routing.watches()];
  }

  get synced(): boolean {
    return this.all().every((w) => w.synced);
  }

  /** Starts the input caches; resolves once each holds its first list. */
  async start(): Promise<void> {
    await Promise.all([...this.base().map((w) => w.start()), this.routing.start()]);
  }

  /**
   * Watches the constraints of the given kinds (whose templates are ready), resolving once each
   * holds its first list, so a plan never mistakes "not listed yet" for "missing".
   */
  async watchConstraints(kinds: Iterable<string>): Promise<void> {
    const starting: Promise<void>[] = [];
    for (const kind of kinds) {
      if (!this.knownKinds.has(kind)) continue;
      let w = this.constraints.get(kind);
      if (!w) {
        w = this.makeConstraintWatch(kind);
        this.constraints.set(kind, w);
      }
      if (!w.synced) starting.push(w.start());
    }
    await Promise.all(starting);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((w) => w.stop()));
  }
}
