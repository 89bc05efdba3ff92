// I/O: carries out a plan. Server-side apply with one field manager for creates and updates,
// deletes for prune, in dependency phases with bounded concurrency inside each. Each failure is recorded against its action (and so its policy) and the rest
// of the plan still runs: one bad object must not hold every other policy back.
import type { KubeClient } from '../kube/client.js';
import type { ApiResources } from '../kube/discovery.js';
import { objectKey } from '../compile/types.js';
import { describeError, isNotFound } from '../kube/errors.js';
import { applyObject, deleteObject } from '../kube/ssa.js';
import type { Logger } from '../util/log.js';
import type { Metrics } from './metrics.js';
import type { Action } from './plan.js';
import { mapLimit } from '../util/pool.js';

export interface ApplyOutcome {
  writes: number;
  waiting: number;
  /** Failed actions with their error message. */
  failed: Map<Action, string>;
  /**
   * Constraint applies that found their kind not served yet: Gatekeeper reported the template
   * created, but its constraint CRD is not in the API server's discovery (or not established) yet.
   * That is a wait, not a failure: requeued at the wait interval, reported Pending, with no error
   * backoff (which would grow while other events retrigger reconciles and then hold the policy for
   * up to a minute).
   */
  deferred: Action[];
}

export interface ApplyDeps {
  client: KubeClient;
  resources: ApiResources;
  fieldManager: string;
  log: Logger;
  metrics: Metrics;
  /** objectKey -> resourceVersion of our last apply (see LiveState.accepted); updated here. */
  accepted: Map<string, string>;
}

/**
 * Writes in flight at once: enough to hide round trips, few enough not to swamp the API server.
 * Every constraint write passes Gatekeeper's validating webhook: measured with 32 (npm run bench,
 * 1,000 x 10,000 on 2 cores), a busy Gatekeeper let writes and Lease renewals time out in the
 * webhook (HTTP 500, leadership lost) and the cold start stalled; 8 shortens one policy's tail less
 * (a SecurityPolicy's 18 constraints go in 3 waves) but keeps Gatekeeper answering.
 */
export const APPLY_CONCURRENCY = 8;

/**
 * A phase this small goes out in one wave: one policy's change (a SecurityPolicy with every field
 * compiles to about 18 constraints) then costs one round trip instead of three, which is what the
 * "created -> written" tail is made of. Bulk work (cold start, a settings change touching every
 * PSS constraint) keeps APPLY_CONCURRENCY, so a busy Gatekeeper webhook is never flooded.
 */
export const ONE_WAVE_MAX = 24;

export function concurrencyFor(phaseSize: number): number {
  return phaseSize <= ONE_WAVE_MAX ? Math.max(1, phaseSize) : APPLY_CONCURRENCY;
}

/**
 * Dependency phases in plan order: a phase starts when the one before it has finished (templates
 * before the Config before constraints; constraint deletes before template deletes). Within a
 * phase the writes are independent and run with bounded concurrency.
 */
function phases(actions: readonly Action[]): Action[][] {
  const out: Action[][] = [];
  let key: string | undefined;
  for (const a of actions) {
    const k = `${a.type === 'delete' ? 'delete' : 'apply'}:${phaseRank(a)}`;
    if (k !== key) out.push([]);
    key = k;
    out[out.length - 1].push(a);
  }
  return out;
}

function phaseRank(a: Action): number {
  if (a.object.kind === 'ConstraintTemplate') return 0;
  return a.object.apiVersion.startsWith('constraints.gatekeeper.sh/') ? 2 : 1;
}

export async function applyActions(actions: readonly Action[], deps: ApplyDeps): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { writes: 0, waiting: 0, failed: new Map(), deferred: [] };
  for (const phase of phases(actions)) {
    await mapLimit(phase, concurrencyFor(phase.length), (action) => applyOne(action, deps, out));
  }
  return out;
}

async function applyOne(action: Action, deps: ApplyDeps, out: ApplyOutcome): Promise<void> {
  const obj = action.object;
  const what = `${obj.kind}/${obj.metadata.name}`;
  if (action.type === 'wait') {
    out.waiting += 1;
    return;
  }
  try {
    out.writes += 1;
    if (action.type === 'apply') {
      deps.metrics.apiWrites.inc({ verb: 'apply', kind: obj.kind });
      const applied = await applyObject(deps.client, deps.resources, action.object, deps.fieldManager);
      const rv = (applied as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      if (rv) deps.accepted.set(objectKey(obj), rv);
      deps.log.info(`applied ${what} (${action.reason})`);
    } else {
      deps.metrics.apiWrites.inc({ verb: 'delete', kind: obj.kind });
      try {
        await deleteObject(deps.client, deps.resources, obj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      deps.accepted.delete(objectKey(obj));
      deps.log.info(`deleted ${what}`);
    }
  } catch (err) {
    if (action.type === 'apply' && obj.apiVersion.startsWith('constraints.gatekeeper.sh/') && isNotFound(err)) {
      out.writes -= 1;
      out.waiting += 1;
      out.deferred.push(action);
      deps.log.info(`waiting for ${what}: its kind is not served yet (${describeError(err)})`);
      return;
    }
    const msg = `${action.type} ${what}: ${describeError(err)}`;
    deps.metrics.errors.inc({ where: 'apply' });
    out.failed.set(action, msg);
    deps.log.warn(msg);
  }
}
