import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// SecurityPolicy `readOnlyRootFilesystem: true`. Not part of PSS.
const check: SecurityCheck = {
  kind: 'D8ReadOnlyRootFilesystem',
  rego: 'read-only-root-filesystem',
  engines: ['Rego'],
  description: 'Containers (regular, init, ephemeral) must set securityContext.readOnlyRootFilesystem: true.',
  parameters: {},
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['readOnlyRootFilesystem'],
  // Only an explicit true asks for the check; false (or absent) is a no-op.
  fromPolicy: (p) => (p.readOnlyRootFilesystem === true ? {} : undefined),
};
export default check;
