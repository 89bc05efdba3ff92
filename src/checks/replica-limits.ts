import type { OperationCheck } from './types.js';

// OperationPolicy `replicaLimits` ({minReplicas, maxReplicas}, both optional, inclusive), wrapped
// into a one-element `ranges` list.
const check: OperationCheck = {
  kind: 'D8ReplicaLimits',
  rego: 'replica-limits',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'spec.replicas (absent = 1) must lie within one of the allowed inclusive ranges; either bound of a range may be absent.',
  parameters: {
    ranges: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          minReplicas: { type: 'integer' },
          maxReplicas: { type: 'integer' },
        },
      },
    },
  },
  matches: [{ apiGroups: ['apps'], kinds: ['Deployment'] }],
  source: 'OperationPolicy',
  fields: ['replicaLimits'],
  // A range with neither bound allows every count: a no-op, so no constraint.
  fromPolicy: (p) => {
    const rl = p.replicaLimits;
    if (rl === null || typeof rl !== 'object') return undefined;
    const range: Record<string, number> = {};
    for (const k of ['minReplicas', 'maxReplicas'] as const) {
      const v = (rl as Record<string, unknown>)[k];
      if (typeof v === 'number') range[k] = v;
    }
    return Object.keys(range).length > 0 ? { ranges: [range] } : undefined;
  },
};
export default check;
