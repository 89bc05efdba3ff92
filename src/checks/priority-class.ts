import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `priorityClassNames`.
const check: OperationCheck = {
  kind: 'D8PriorityClass',
  rego: 'priority-class',
  engines: ['Rego', 'K8sNativeValidation'],
  celOnRequest: 'its messages quote priority class names from the policy',
  description: 'A spec.priorityClassName set on the pod must be one of the allowed priority classes (unset is allowed).',
  parameters: {
    priorityClassNames: { type: 'array', items: { type: 'string' } },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['priorityClassNames'],
  // An empty list is dropped, as the reference's `if` on the value does (no constraint).
  fromPolicy: (p) => {
    const names = p.priorityClassNames;
    return Array.isArray(names) && names.length > 0 ? { priorityClassNames: names } : undefined;
  },
};
export default check;
