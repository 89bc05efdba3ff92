import { type SecurityCheck, podsAndControllers } from './types.js';

// SecurityPolicy `automountServiceAccountToken: false`. Not part of PSS.
const check: SecurityCheck = {
  kind: 'D8AutomountServiceAccountTokenPod',
  rego: 'automount-service-account-token',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Pods must set spec.automountServiceAccountToken: false and no container may mount the service account token path; Pod updates are not reviewed (the field is immutable).',
  parameters: {},
  matches: podsAndControllers,
  source: 'SecurityPolicy',
  fields: ['automountServiceAccountToken'],
  // Only an explicit false asks for the check (absent means true in the reference's normalisation).
  fromPolicy: (p) => (p.automountServiceAccountToken === false ? {} : undefined),
};
export default check;
