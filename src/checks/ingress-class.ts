import type { OperationCheck } from './types.js';

// OperationPolicy `ingressClassNames`.
const check: OperationCheck = {
  kind: 'D8IngressClass',
  rego: 'ingress-class',
  engines: ['Rego', 'K8sNativeValidation'],
  celOnRequest: 'its messages quote ingress class names from the policy',
  description:
    'An Ingress must set spec.ingressClassName to one of the allowed classes (absent is a violation: the DefaultIngressClass plugin has already set it when a default exists).',
  parameters: {
    ingressClassNames: { type: 'array', items: { type: 'string' } },
  },
  matches: [{ apiGroups: ['networking.k8s.io'], kinds: ['Ingress'] }],
  source: 'OperationPolicy',
  fields: ['ingressClassNames'],
  // An empty list is dropped like the reference's omitempty marshalling does (no constraint).
  fromPolicy: (p) => {
    const names = p.ingressClassNames;
    return Array.isArray(names) && names.length > 0 ? { ingressClassNames: names } : undefined;
  },
};
export default check;
