// I/O: carries out a plan. Server-side apply with one field manager for creates and updates,
// deletes for prune. Each failure is recorded against its action (and so its policy) and the rest
// of the plan still runs: one bad object must not hold every other policy back.
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { objectKey } from '../compile/types.js';
import { describeError, isNotFound } from '../kube/errors.js';
import { applyObject } from '../kube/ssa.js';
import type { Logger } from '../util/log.js';
import type { Metrics } from './metrics.js';
import type { Action } from './plan.js';

export interface ApplyOutcome {
  writes: number;
  waiting: number;
  /** Failed actions with their error message. */
  failed: Map<Action, string>;
}

export interface ApplyDeps {
  api: KubernetesObjectApi;
  fieldManager: string;
  log: Logger;
  metrics: Metrics;
  /** objectKey -> resourceVersion of our last apply (see LiveState.accepted); updated here. */
  accepted: Map<string, string>;
}

export async function applyActions(actions: readonly Action[], deps: ApplyDeps): Promise<ApplyOutcome> {
  const out: ApplyOutcome = { writes: 0, waiting: 0, failed: new Map() };
  for (const action of actions) {
    const obj = action.object;
    const what = `${obj.kind}/${obj.metadata.name}`;
    if (action.type === 'wait') {
      out.waiting += 1;
      continue;
    }
    try {
      out.writes += 1;
      if (action.type === 'apply') {
        deps.metrics.apiWrites.inc({ verb: 'apply', kind: obj.kind });
        const applied = await applyObject(deps.api, action.object as never, deps.fieldManager);
        const rv = (applied as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
        if (rv) deps.accepted.set(objectKey(obj), rv);
        deps.log.info(`applied ${what} (${action.reason})`);
      } else {
        deps.metrics.apiWrites.inc({ verb: 'delete', kind: obj.kind });
        try {
          await deps.api.delete(obj);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        deps.accepted.delete(objectKey(obj));
        deps.log.info(`deleted ${what}`);
      }
    } catch (err) {
      const msg = `${action.type} ${what}: ${describeError(err)}`;
      deps.metrics.errors.inc({ where: 'apply' });
      out.failed.set(action, msg);
      deps.log.warn(msg);
    }
  }
  return out;
}
