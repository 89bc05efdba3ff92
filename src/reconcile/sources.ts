// The operator's view of the cluster: one resilient list+watch cache per input and per kind of
// object we generate. Every change only marks the world dirty; reconcile reads the caches.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Check } from '../checks/types.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../compile/labels.js';
import { Watched, type ListResult, type WatchedEvent } from '../kube/watched.js';

export interface SourceOptions {
  gatekeeperNamespace: string;
  onChange: () => void;
  onEvent: (watch: string, e: WatchedEvent) => void;
  /** Test knob: shorter watch timeouts and backoff. */
  watchTimeoutSeconds?: number;
}

type Obj = KubernetesObject & Record<string, unknown>;
type ListFn = (opts: { labelSelector?: string }) => Promise<ListResult<Obj>>;

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

  constructor(kc: KubeConfig, catalog: readonly Check[], opts: SourceOptions) {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    const make = (name: string, path: string, list: ListFn, labelSelector?: string, maxBackoffMs = 30000) =>
      new Watched<Obj>(kc, {
        name, path, list, labelSelector,
        onChange: opts.onChange,
        onEvent: (e) => opts.onEvent(name, e),
        watchTimeoutSeconds: opts.watchTimeoutSeconds,
        backoff: { initialMs: 500, maxMs: maxBackoffMs },
      });
    // A missing resource (Gatekeeper not installed yet) is a list error: the cache retries with
    // backoff and stays unsynced, so nothing is pruned against an empty view.
    const cluster = (group: string, version: string, plural: string): ListFn => async ({ labelSelector }) =>
      (await custom.listClusterCustomObject({ group, version, plural, labelSelector })) as ListResult<Obj>;
    this.securityPolicies = make('securitypolicies', '/apis/deckhouse.io/v1alpha1/securitypolicies', cluster('deckhouse.io', 'v1alpha1', 'securitypolicies'));
    this.operationPolicies = make('operationpolicies', '/apis/deckhouse.io/v1alpha1/operationpolicies', cluster('deckhouse.io', 'v1alpha1', 'operationpolicies'));
    this.moduleConfigs = make('moduleconfigs', '/apis/deckhouse.io/v1alpha1/moduleconfigs', cluster('deckhouse.io', 'v1alpha1', 'moduleconfigs'));
    this.namespaces = make('namespaces', '/api/v1/namespaces', async ({ labelSelector }) => {
      const list = await core.listNamespace({ labelSelector });
      return { items: list.items as unknown as Obj[], metadata: { resourceVersion: list.metadata?.resourceVersion } };
    });
    this.templates = make('constrainttemplates', '/apis/templates.gatekeeper.sh/v1/constrainttemplates',
      cluster('templates.gatekeeper.sh', 'v1', 'constrainttemplates'), OWNED);
    const ns = opts.gatekeeperNamespace;
    this.configs = make('gatekeeper-configs', `/apis/config.gatekeeper.sh/v1alpha1/namespaces/${ns}/configs`, async () =>
      (await custom.listNamespacedCustomObject({ group: 'config.gatekeeper.sh', version: 'v1alpha1', namespace: ns, plural: 'configs' })) as ListResult<Obj>,
    undefined, 10000);
    this.knownKinds = new Set(catalog.map((c) => c.kind));
    this.makeConstraintWatch = (kind) => {
      const plural = kind.toLowerCase();
      return make(`constraints/${plural}`, `/apis/constraints.gatekeeper.sh/v1beta1/${plural}`,
        cluster('constraints.gatekeeper.sh', 'v1beta1', plural), OWNED, 5000);
    };
  }

  private readonly knownKinds: Set<string>;

  private base(): Watched<Obj>[] {
    return [this.securityPolicies, this.operationPolicies, this.namespaces, this.moduleConfigs, this.templates, this.configs];
  }

  all(): Watched<Obj>[] {
    return [...this.base(), ...this.constraints.values()];
  }

  get synced(): boolean {
    return this.all().every((w) => w.synced);
  }

  /** Starts the input caches; resolves once each holds its first list. */
  async start(): Promise<void> {
    await Promise.all(this.base().map((w) => w.start()));
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
