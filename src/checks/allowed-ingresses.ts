import type { SecurityCheck } from './types.js';

// SecurityPolicy `blockWildcardDomains`.
const check: SecurityCheck = {
  kind: 'D8AllowedIngresses',
  rego: 'allowed-ingresses',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'An Ingress may not name a wildcard host ("*.example.com") in spec.rules[].host or spec.tls[].hosts[].',
  parameters: {
    blockWildcardDomains: { type: 'boolean' },
  },
  matches: [{ apiGroups: ['networking.k8s.io'], kinds: ['Ingress'] }],
  source: 'SecurityPolicy',
  fields: ['blockWildcardDomains'],
  // Only true asks for the check (false or absent: wildcard hosts are allowed), as in the reference.
  fromPolicy: (p) => (p.blockWildcardDomains === true ? { blockWildcardDomains: true } : undefined),
};
export default check;
