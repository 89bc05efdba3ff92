import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "AppArmor" (the restricted level has the same control, and restricted namespaces
// get the baseline constraints too); SecurityPolicy allowedAppArmor.
const check: SecurityCheck = {
  kind: 'D8AppArmor',
  rego: 'apparmor',
  engines: ['Rego'],
  description:
    'Every AppArmor profile a pod declares (pod and container securityContext.appArmorProfile, container.apparmor.security.beta.kubernetes.io annotations) must be allowed; a container with none runs, and is judged as, runtime/default.',
  parameters: {
    allowedProfiles: {
      type: 'array',
      description:
        'Allowed profiles in annotation form (runtime/default, unconfined, localhost/<name>), exact or glob (localhost/*). Fields are normalised to that form.',
      items: { type: 'string' },
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedAppArmor'],
  fromPolicy: (p) => (Array.isArray(p.allowedAppArmor) ? { allowedProfiles: p.allowedAppArmor } : undefined),
  // Pod Security Admission allows RuntimeDefault and Localhost (any profile), an unset profile and
  // an empty annotation; it rejects unconfined and anything else.
  pss: { baseline: () => ({ allowedProfiles: ['runtime/default', 'localhost/*'] }) },
};
export default check;
