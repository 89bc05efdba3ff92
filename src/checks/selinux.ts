import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

/** PSS baseline: SELinux types a pod or container may set (Pod Security Admission v1.31+). */
const PSS_BASELINE_SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];

// PSS baseline "SELinux"; SecurityPolicy seLinux.
const check: SecurityCheck = {
  kind: 'D8SeLinux',
  rego: 'selinux',
  engines: ['Rego'],
  description:
    'Pod and container (regular, init, ephemeral) seLinuxOptions must match an allowed entry: "*" matches anything, a set field must equal, a left-out field must be empty.',
  parameters: {
    allowedSELinuxOptions: {
      type: 'array',
      description:
        'Allowed seLinuxOptions. Per field: "*" = anything; a value = exactly it ("" = unset or empty); left out = unset or empty.',
      items: {
        type: 'object',
        properties: {
          user: { type: 'string' },
          role: { type: 'string' },
          type: { type: 'string' },
          level: { type: 'string' },
        },
      },
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['seLinux'],
  fromPolicy: (p) => (Array.isArray(p.seLinux) ? { allowedSELinuxOptions: p.seLinux } : undefined),
  // Pod Security Admission: type from the list (level free), user and role unset or empty.
  pss: {
    baseline: () => ({ allowedSELinuxOptions: PSS_BASELINE_SELINUX_TYPES.map((type) => ({ type, level: '*' })) }),
  },
};
export default check;
