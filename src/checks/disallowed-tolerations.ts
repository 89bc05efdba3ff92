import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `disallowedTolerations`.
const check: OperationCheck = {
  kind: 'D8DisallowedTolerations',
  rego: 'disallowed-tolerations',
  engines: ['Rego'],
  description:
    'No pod toleration may match a disallowed pattern (every field the pattern sets equals the toleration\'s); the not-ready/unreachable NoExecute tolerations Kubernetes adds are ignored.',
  parameters: {
    tolerations: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          operator: { type: 'string', enum: ['Exists', 'Equal'] },
          value: { type: 'string' },
          effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
        },
      },
    },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['disallowedTolerations'],
  // Rendered only for a non-empty list, as the reference does.
  fromPolicy: (p) => {
    const t = p.disallowedTolerations;
    return Array.isArray(t) && t.length > 0 ? { tolerations: t } : undefined;
  },
};
export default check;
