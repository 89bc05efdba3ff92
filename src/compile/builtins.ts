// Objects that exist regardless of policies: the exec guard for platform pods and the Gatekeeper
// Config that syncs what templates read from the inventory.
import type { Check } from '../checks/types.js';
import { byCodePoint } from '../util/order.js';
import { makeConstraint } from './constraint.js';
import { SECURITY_POLICY_LABEL, ownershipLabels } from './labels.js';
import type { CompileSettings, Constraint, GeneratedObject } from './types.js';

const EXEC_HERITAGE_CONSTRAINT = 'deny-exec-heritage-pods';

export function compileBuiltins(catalog: readonly Check[]): Constraint[] {
  const out: Constraint[] = [];
  const heritage = catalog.find((c) => c.kind === 'D8DenyExecHeritage');
  if (heritage) {
    // Every namespace, as the documentation promises ("all Pods with the heritage: deckhouse
    // label"); the reference limits it to d8-*/kube-*. Labelling one's own pod only restricts
    // exec into that pod, so the wider scope grants nobody anything.
    out.push(makeConstraint(heritage, EXEC_HERITAGE_CONSTRAINT, 'deny', {
      kinds: heritage.matches, scope: 'Namespaced',
    }, {}, { ...ownershipLabels('BuiltIn', EXEC_HERITAGE_CONSTRAINT), [SECURITY_POLICY_LABEL]: '' }));
  }
  return out;
}

/**
 * Gatekeeper's `Config` (a singleton named `config` in Gatekeeper's namespace): sync exactly the
 * kinds our templates read from `data.inventory`. Only the kinds of checks in use are synced:
 * syncing costs Gatekeeper memory proportional to the cluster.
 */
export function gatekeeperConfig(used: readonly Check[], settings: CompileSettings): GeneratedObject {
  const seen = new Map<string, { group: string; version: string; kind: string }>();
  for (const check of used) for (const s of check.syncs ?? []) seen.set(`${s.group}/${s.version}/${s.kind}`, s);
  const syncOnly = [...seen.entries()].sort(([a], [b]) => byCodePoint(a, b)).map(([, s]) => s);
  return {
    apiVersion: 'config.gatekeeper.sh/v1alpha1',
    kind: 'Config',
    metadata: { name: 'config', namespace: settings.gatekeeperNamespace, labels: ownershipLabels('BuiltIn', 'config') },
    spec: { sync: { syncOnly } },
  };
}
