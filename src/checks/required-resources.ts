import { type OperationCheck, podsAndControllers } from './types.js';

const resourceNames = { type: 'array', items: { type: 'string', enum: ['cpu', 'memory'] } };

// OperationPolicy `requiredResources` ({limits, requests}, either may be absent).
const check: OperationCheck = {
  kind: 'D8RequiredResources',
  rego: 'required-resources',
  engines: ['Rego'],
  description:
    'Every regular and init container must set the listed resources.limits and resources.requests (a request counts as set when the same limit is: Kubernetes defaults the request to the limit).',
  parameters: {
    limits: resourceNames,
    requests: resourceNames,
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['requiredResources'],
  // Both lists are always passed (an absent one as []); nothing required at all is a no-op.
  fromPolicy: (p) => {
    const rr = p.requiredResources;
    if (rr === null || typeof rr !== 'object') return undefined;
    const list = (k: string): unknown[] => {
      const v = (rr as Record<string, unknown>)[k];
      return Array.isArray(v) ? v : [];
    };
    const limits = list('limits');
    const requests = list('requests');
    return limits.length > 0 || requests.length > 0 ? { limits, requests } : undefined;
  },
};
export default check;
