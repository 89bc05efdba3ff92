// Pod Security Standards: one constraint set per standard and enforcement action in use.
// Namespaces choose their level and action by label; the selectors below make an unlabelled
// namespace (or one with an invalid value) get the defaults, so the number of constraints never
// grows with the number of namespaces.
import type { Check } from '../checks/types.js';
import { byKey, thenBy } from '../util/order.js';
import { makeConstraint, kindsFor } from './constraint.js';
import {
  ENABLE_SYSTEM_CHECK_LABEL, POD_POLICY_ACTION_LABEL, POD_POLICY_LABEL, POD_STANDARD_LABEL, SKIP_PSS_CHECK_LABEL, ownershipLabels,
} from './labels.js';
import { SYSTEM_NAMESPACE_PATTERNS } from './names.js';
import {
  ACTIONS, STANDARDS, type Action, type CompileSettings, type Constraint, type LabelSelector, type NamespaceInput,
  type NamespaceIssue, type Standard,
} from './types.js';

type Expr = NonNullable<LabelSelector['matchExpressions']>[number];

/** Which namespaces a standard's constraints select, by their pod-policy label. */
function levelExpression(standard: 'baseline' | 'restricted', defaultPolicy: Standard): Expr {
  if (standard === 'baseline') {
    // Baseline applies to baseline and restricted namespaces.
    return defaultPolicy === 'privileged'
      ? { key: POD_POLICY_LABEL, operator: 'In', values: ['baseline', 'restricted'] }
      : { key: POD_POLICY_LABEL, operator: 'NotIn', values: ['privileged'] };
  }
  return defaultPolicy === 'restricted'
    ? { key: POD_POLICY_LABEL, operator: 'NotIn', values: ['baseline', 'privileged'] }
    : { key: POD_POLICY_LABEL, operator: 'In', values: ['restricted'] };
}

/** Which namespaces an action's constraints select, by their pod-policy-action label. */
function actionExpression(action: Action, defaultAction: Action): Expr {
  if (action === defaultAction) {
    // Unlabelled or invalid values fall to the default action.
    return { key: POD_POLICY_ACTION_LABEL, operator: 'NotIn', values: ACTIONS.filter((a) => a !== defaultAction) };
  }
  return { key: POD_POLICY_ACTION_LABEL, operator: 'In', values: [action] };
}

/** Actions in use: the default first, then those namespaces ask for, in a fixed order. */
function actionsInUse(settings: CompileSettings, namespaces: NamespaceInput[]): Action[] {
  const used = new Set<Action>([settings.enforcementAction]);
  for (const ns of namespaces) {
    const v = ns.labels[POD_POLICY_ACTION_LABEL];
    if (v !== undefined && (ACTIONS as readonly string[]).includes(v)) used.add(v as Action);
  }
  return [settings.enforcementAction, ...ACTIONS.filter((a) => a !== settings.enforcementAction && used.has(a))];
}

/** Namespace labels with values we do not understand: reported, and treated as unlabelled. */
export function namespaceIssues(namespaces: NamespaceInput[]): NamespaceIssue[] {
  const issues: NamespaceIssue[] = [];
  for (const ns of namespaces) {
    const level = ns.labels[POD_POLICY_LABEL];
    if (level !== undefined && !(STANDARDS as readonly string[]).includes(level)) {
      issues.push({
        namespace: ns.name, label: POD_POLICY_LABEL, value: level,
        message: `label ${POD_POLICY_LABEL}="${level}" is not one of privileged, baseline, restricted; the namespace gets the default policy. Fix: set one of those values or remove the label`,
      });
    }
    const action = ns.labels[POD_POLICY_ACTION_LABEL];
    if (action !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      issues.push({
        namespace: ns.name, label: POD_POLICY_ACTION_LABEL, value: action,
        message: `label ${POD_POLICY_ACTION_LABEL}="${action}" is not one of deny, warn, dryrun; the namespace gets the default action. Fix: set one of those values or remove the label`,
      });
    }
  }
  return issues.sort(thenBy(byKey((i) => i.namespace), byKey((i) => i.label)));
}

function pssChecks(catalog: readonly Check[], standard: 'baseline' | 'restricted'): { check: Check; params: (s: CompileSettings) => Record<string, unknown> }[] {
  const out: { check: Check; params: (s: CompileSettings) => Record<string, unknown> }[] = [];
  for (const check of catalog) {
    const fn = check.pss?.[standard];
    if (fn) out.push({ check, params: (s) => fn({ knownHostPortRanges: s.knownHostPortRanges }) });
  }
  return out;
}

/**
 * PSS constraints. User namespaces: `d8-pod-security-<std>-<action>[-default]`, system namespaces
 * excluded. System namespaces (`d8-*`, `kube-*`): warn-only `d8-pod-security-<std>-warn-system`
 * against both standards, unless opted in with `enable-security-policy-check=true`, in which case
 * `d8-pod-security-<std>-<action>-d8[-default]` apply the same level and action rules as for users.
 */
export function compilePss(catalog: readonly Check[], settings: CompileSettings, namespaces: NamespaceInput[]): Constraint[] {
  const out: Constraint[] = [];
  // Objects labelled skip-pss-check=true are left out of the PSS sets (reference §3.3). Setting the
  // label is guarded (manifests/skip-pss-check-guard.yaml): only trusted identities may.
  const skip: Expr = { key: SKIP_PSS_CHECK_LABEL, operator: 'NotIn', values: ['true'] };
  const objects = { matchExpressions: [skip] };
  const actions = actionsInUse(settings, namespaces);
  const optedOut: Expr = { key: ENABLE_SYSTEM_CHECK_LABEL, operator: 'NotIn', values: ['true'] };
  const optedIn: Expr = { key: ENABLE_SYSTEM_CHECK_LABEL, operator: 'In', values: ['true'] };
  // Opted-in variants exist only while some namespace opts in: no idle constraints otherwise.
  const anyOptedIn = namespaces.some((ns) => ns.labels[ENABLE_SYSTEM_CHECK_LABEL] === 'true');
  for (const standard of ['baseline', 'restricted'] as const) {
    const labels = { ...ownershipLabels('PodSecurityStandard', standard), [POD_STANDARD_LABEL]: standard };
    for (const { check, params } of pssChecks(catalog, standard)) {
      const kinds = kindsFor(check, settings.controllerValidation);
      const parameters = params(settings);
      for (const action of actions) {
        const suffix = action === settings.enforcementAction ? '-default' : '';
        const selector = { matchExpressions: [levelExpression(standard, settings.defaultPolicy), actionExpression(action, settings.enforcementAction)] };
        out.push(makeConstraint(check, `d8-pod-security-${standard}-${action}${suffix}`, action, {
          kinds, scope: 'Namespaced', excludedNamespaces: [...SYSTEM_NAMESPACE_PATTERNS], namespaceSelector: selector, labelSelector: objects,
        }, parameters, labels));
        if (anyOptedIn) {
          out.push(makeConstraint(check, `d8-pod-security-${standard}-${action}-d8${suffix}`, action, {
            kinds, scope: 'Namespaced', namespaces: [...SYSTEM_NAMESPACE_PATTERNS],
            namespaceSelector: { matchExpressions: [optedIn, ...selector.matchExpressions] }, labelSelector: objects,
          }, parameters, labels));
        }
      }
      out.push(makeConstraint(check, `d8-pod-security-${standard}-warn-system`, 'warn', {
        kinds, scope: 'Namespaced', namespaces: [...SYSTEM_NAMESPACE_PATTERNS], namespaceSelector: { matchExpressions: [optedOut] }, labelSelector: objects,
      }, parameters, labels));
    }
  }
  return out;
}
