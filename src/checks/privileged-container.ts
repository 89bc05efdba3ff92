import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "Privileged Containers"; SecurityPolicy `allowPrivileged`.
const check: SecurityCheck = {
  kind: 'D8PrivilegedContainer',
  rego: 'privileged-container',
  engines: ['Rego', 'K8sNativeValidation'],
  description: 'Containers (regular, init, ephemeral) must not set securityContext.privileged: true.',
  parameters: {},
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowPrivileged'],
  // Rendered unless privileged containers are explicitly allowed: the documented default is false.
  fromPolicy: (p) => (p.allowPrivileged === true ? undefined : {}),
  pss: { baseline: () => ({}) },
};
export default check;
