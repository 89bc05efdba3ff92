import type { ServiceType } from '../api/types.js';
import type { SecurityCheck } from './types.js';

/** Every Service type the API server accepts. */
const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

// SecurityPolicy `allowedServiceTypes`.
const check: SecurityCheck = {
  kind: 'D8AllowedServiceTypes',
  rego: 'allowed-service-types',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'A Service\'s spec.type must be one of the allowed types (a Service without a type is ClusterIP; an empty list allows no Service).',
  parameters: {
    allowedServiceTypes: { type: 'array', items: { type: 'string' } },
  },
  matches: [{ apiGroups: [''], kinds: ['Service'] }],
  source: 'SecurityPolicy',
  fields: ['allowedServiceTypes'],
  // Present renders, as in the reference (an explicit [] allows no Service at all); repeats are
  // dropped. A list of every type allows everything the API server accepts: no constraint.
  fromPolicy: (p) => {
    const types = p.allowedServiceTypes;
    if (!Array.isArray(types)) return undefined;
    const allowed = [...new Set(types)];
    return SERVICE_TYPES.every((t) => allowed.includes(t)) ? undefined : { allowedServiceTypes: allowed };
  },
};
export default check;
