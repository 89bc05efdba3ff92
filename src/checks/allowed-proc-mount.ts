import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "/proc Mount Type" and restricted "procMount_restricted"; SecurityPolicy `allowedProcMount`.
const check: SecurityCheck = {
  kind: 'D8AllowedProcMount',
  rego: 'allowed-proc-mount',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'securityContext.procMount of every container (regular, init, ephemeral), when set, must be allowed: Default allows only Default, Unmasked allows both.',
  parameters: {
    allowedProcMount: {
      type: 'string',
      enum: ['Default', 'Unmasked'],
      description: 'The most permissive procMount allowed. Absent: Default.',
    },
    exemptUserNamespacePods: {
      type: 'boolean',
      description: 'Do not check pods with spec.hostUsers: false (PSA baseline allows any procMount in a user namespace).',
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedProcMount'],
  // Unmasked allows both procMount types, so it is a no-op (the reference drops it).
  fromPolicy: (p) =>
    typeof p.allowedProcMount === 'string' && p.allowedProcMount !== 'Unmasked' ? { allowedProcMount: p.allowedProcMount } : undefined,
  pss: {
    // Baseline (PSA 1.35+): pods in their own user namespace may use any procMount.
    baseline: () => ({ allowedProcMount: 'Default', exemptUserNamespacePods: true }),
    // procMount_restricted: Default only, user namespace or not.
    restricted: () => ({ allowedProcMount: 'Default', exemptUserNamespacePods: false }),
  },
};
export default check;
