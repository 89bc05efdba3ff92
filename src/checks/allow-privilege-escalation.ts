import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS restricted "Privilege Escalation"; SecurityPolicy `allowPrivilegeEscalation`.
const check: SecurityCheck = {
  kind: 'D8AllowPrivilegeEscalation',
  rego: 'allow-privilege-escalation',
  engines: ['Rego', 'K8sNativeValidation'],
  description: 'Containers (regular, init, ephemeral) must set securityContext.allowPrivilegeEscalation: false explicitly.',
  parameters: {
    exemptWindowsPods: {
      type: 'boolean',
      description: 'Do not check pods with spec.os.name: windows (Pod Security Admission exempts them).',
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowPrivilegeEscalation'],
  // Rendered unless privilege escalation is explicitly allowed: the documented default is false.
  fromPolicy: (p) => (p.allowPrivilegeEscalation === true ? undefined : {}),
  pss: { restricted: () => ({ exemptWindowsPods: true }) },
};
export default check;
