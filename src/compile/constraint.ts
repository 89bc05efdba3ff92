import type { Check, KindMatch } from '../checks/types.js';
import { podKinds } from '../checks/types.js';
import { CHECK_LABEL } from './labels.js';
import type { Action, Constraint, Match } from './types.js';
import { objectName } from './names.js';

const CONSTRAINT_API_VERSION = 'constraints.gatekeeper.sh/v1beta1';

/** The kinds a constraint matches: pod checks are narrowed to Pods when controllers are not validated. */
export function kindsFor(check: Check, controllerValidation: boolean, override?: KindMatch[]): KindMatch[] {
  if (override) return override;
  const podCheck = check.matches.some((m) => m.kinds.includes('Pod'));
  return podCheck && !controllerValidation ? podKinds : check.matches;
}

export function makeConstraint(
  check: Check,
  name: string,
  action: Action,
  match: Match,
  parameters: Record<string, unknown>,
  labels: Record<string, string>,
): Constraint {
  const spec: Constraint['spec'] = { enforcementAction: action, match };
  if (Object.keys(parameters).length > 0) spec.parameters = parameters;
  return {
    apiVersion: CONSTRAINT_API_VERSION,
    kind: check.kind,
    metadata: { name: objectName(name), labels: { ...labels, [CHECK_LABEL]: check.kind } },
    spec,
  };
}
