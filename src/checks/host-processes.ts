import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "Host Namespaces" (hostPID, hostIPC); SecurityPolicy `allowHostPID`, `allowHostIPC`.
const check: SecurityCheck = {
  kind: 'D8HostProcesses',
  rego: 'host-processes',
  engines: ['Rego', 'K8sNativeValidation'],
  description: 'Pods must not set spec.hostPID or spec.hostIPC to true unless allowHostPID / allowHostIPC is true.',
  parameters: {
    allowHostPID: { type: 'boolean', description: 'Allow spec.hostPID: true. Absent: not allowed.' },
    allowHostIPC: { type: 'boolean', description: 'Allow spec.hostIPC: true. Absent: not allowed.' },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowHostPID', 'allowHostIPC'],
  // Rendered when either is explicitly false; the other, when absent, stays allowed.
  fromPolicy: (p) => {
    if (p.allowHostPID !== false && p.allowHostIPC !== false) return undefined;
    return {
      allowHostPID: typeof p.allowHostPID === 'boolean' ? p.allowHostPID : true,
      allowHostIPC: typeof p.allowHostIPC === 'boolean' ? p.allowHostIPC : true,
    };
  },
  pss: { baseline: () => ({ allowHostPID: false, allowHostIPC: false }) },
};
export default check;
