import { type OperationCheck, podsAndControllers } from './types.js';

// OperationPolicy `checkHostNetworkDNSPolicy`.
const check: OperationCheck = {
  kind: 'D8DNSPolicy',
  rego: 'dns-policy',
  engines: ['Rego', 'K8sNativeValidation'],
  description: 'A pod with spec.hostNetwork: true must set spec.dnsPolicy: ClusterFirstWithHostNet.',
  parameters: {},
  matches: podsAndControllers,
  source: 'OperationPolicy',
  fields: ['checkHostNetworkDNSPolicy'],
  // Only an explicit true asks for the check (false is dropped, as the reference's omitempty does).
  fromPolicy: (p) => (p.checkHostNetworkDNSPolicy === true ? {} : undefined),
};
export default check;
