import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

const portRange = {
  type: 'object',
  properties: { min: { type: 'integer' }, max: { type: 'integer' } },
};

// PSS baseline "Host Namespaces" (hostNetwork part) and "Host Ports"; SecurityPolicy
// `allowHostNetwork` and `allowedHostPorts`.
const check: SecurityCheck = {
  kind: 'D8HostNetwork',
  rego: 'host-network',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Pods must not use spec.hostNetwork unless allowHostNetwork is true; when ranges is given, every host port (containers, init, ephemeral) must lie in one of its inclusive ranges.',
  parameters: {
    allowHostNetwork: { type: 'boolean', description: 'Allow spec.hostNetwork: true. Absent: not allowed.' },
    ranges: {
      type: 'array',
      description: 'Allowed inclusive host port ranges. Absent: host ports are not checked; empty: no host port is allowed.',
      items: portRange,
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowHostNetwork', 'allowedHostPorts'],
  // Rendered when host network is explicitly forbidden or host ports are restricted (an explicit
  // `[]` included: it forbids every host port).
  fromPolicy: (p) => {
    const hasPorts = Array.isArray(p.allowedHostPorts);
    if (p.allowHostNetwork !== false && !hasPorts) return undefined;
    const params: Record<string, unknown> = { allowHostNetwork: typeof p.allowHostNetwork === 'boolean' ? p.allowHostNetwork : true };
    if (p.allowedHostPorts) params.ranges = p.allowedHostPorts.map((r) => ({ ...r }));
    return params;
  },
  pss: {
    baseline: (s) => ({ allowHostNetwork: false, ranges: s.knownHostPortRanges.map((r) => ({ ...r })) }),
  },
};
export default check;
