import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

/**
 * PSS baseline: the "safe" sysctls a pod may set, as Pod Security Admission v1.37 allows them
 * (1.0 set; + ip_local_reserved_ports at 1.27; + the tcp_keepalive_* and tcp_fin_timeout at 1.29;
 * + tcp_rmem/tcp_wmem at 1.32; + tcp_slow_start_after_idle/tcp_notsent_lowat at 1.37).
 */
const PSS_BASELINE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
];

// PSS baseline "Sysctls"; SecurityPolicy allowedUnsafeSysctls / forbiddenSysctls.
const check: SecurityCheck = {
  kind: 'D8AllowedSysctls',
  rego: 'allowed-sysctls',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Pod spec.securityContext.sysctls names must match allowedSysctls (when given) and no forbiddenSysctls pattern (`*` = all, trailing `*` = prefix).',
  parameters: {
    allowedSysctls: {
      type: 'array',
      description: 'Sysctls a pod may set: exact names, `*`, or prefixes ending in `*`. Absent: any not forbidden.',
      items: { type: 'string' },
    },
    forbiddenSysctls: {
      type: 'array',
      description: 'Sysctls a pod may not set, same patterns; wins over allowedSysctls.',
      items: { type: 'string' },
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedUnsafeSysctls', 'forbiddenSysctls'],
  // Rendered when either list is present, except the no-op "every sysctl, none forbidden".
  fromPolicy: (p) => {
    const allowed = Array.isArray(p.allowedUnsafeSysctls) ? (p.allowedUnsafeSysctls as unknown[]) : undefined;
    const forbidden = Array.isArray(p.forbiddenSysctls) ? (p.forbiddenSysctls as unknown[]) : undefined;
    if (allowed === undefined && (forbidden === undefined || forbidden.length === 0)) return undefined;
    if (allowed?.includes('*') && (forbidden === undefined || forbidden.length === 0)) return undefined;
    const params: Record<string, unknown> = {};
    if (allowed !== undefined) params.allowedSysctls = allowed;
    if (forbidden !== undefined) params.forbiddenSysctls = forbidden;
    return params;
  },
  pss: { baseline: () => ({ allowedSysctls: [...PSS_BASELINE_SYSCTLS] }) },
};
export default check;
