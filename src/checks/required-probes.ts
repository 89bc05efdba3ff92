import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `requiredProbes`.
const check: OperationCheck = {
  kind: 'D8RequiredProbes',
  rego: 'required-probes',
  engines: ['Rego', 'K8sNativeValidation'],
  description: 'Every regular container must define each of the listed probes (init and ephemeral containers are exempt).',
  parameters: {
    probes: { type: 'array', items: { type: 'string', enum: ['livenessProbe', 'readinessProbe', 'startupProbe'] } },
  },
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['requiredProbes'],
  // An empty list requires nothing: no constraint.
  fromPolicy: (p) => {
    const probes = p.requiredProbes;
    return Array.isArray(probes) && probes.length > 0 ? { probes } : undefined;
  },
};
export default check;
