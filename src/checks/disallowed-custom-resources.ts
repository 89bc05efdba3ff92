import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `disallowedCustomResources`.
const check: OperationCheck = {
  kind: 'D8DisallowedCustomResources',
  rego: 'disallowed-custom-resources',
  engines: ['Rego'],
  description:
    'No container may set, in resources.limits or resources.requests, a resource whose name matches one of the disallowed patterns (RE2 regular expressions, not anchored: "nvidia.com/*" matches "nvidia.com/gpu"; a pattern that is not a valid expression makes every resource it might match a violation).',
  parameters: {
    resourcePatterns: { type: 'array', items: { type: 'string' } },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['disallowedCustomResources'],
  // An empty list disallows nothing: no constraint.
  fromPolicy: (p) => {
    const patterns = p.disallowedCustomResources;
    return Array.isArray(patterns) && patterns.length > 0 ? { resourcePatterns: patterns } : undefined;
  },
};
export default check;
