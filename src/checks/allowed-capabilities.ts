import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

/** PSS baseline: the capabilities a container may add (Pod Security Admission v1.37). */
const PSS_BASELINE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID',
  'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

// PSS baseline and restricted "Capabilities"; SecurityPolicy allowedCapabilities / requiredDropCapabilities.
const check: SecurityCheck = {
  kind: 'D8AllowedCapabilities',
  rego: 'allowed-capabilities',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Containers (regular, init, ephemeral) may add only allowed Linux capabilities and must drop the required ones (or ALL); names compare exactly.',
  parameters: {
    allowedCapabilities: {
      type: 'array',
      description: 'Capabilities securityContext.capabilities.add may list; ALL allows any. Absent: none may be added.',
      items: { type: 'string' },
    },
    requiredDropCapabilities: {
      type: 'array',
      description: 'Capabilities securityContext.capabilities.drop must list, unless it lists ALL. Absent: no requirement.',
      items: { type: 'string' },
    },
    exemptWindowsPods: {
      type: 'boolean',
      description: 'Skip pods with spec.os.name windows (PSS restricted does).',
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedCapabilities', 'requiredDropCapabilities'],
  // Rendered when either list is present, except the no-op "ALL may be added, nothing must be dropped".
  fromPolicy: (p) => {
    const allowed = Array.isArray(p.allowedCapabilities) ? (p.allowedCapabilities as unknown[]) : undefined;
    const drop = Array.isArray(p.requiredDropCapabilities) ? (p.requiredDropCapabilities as unknown[]) : undefined;
    if (allowed === undefined && drop === undefined) return undefined;
    if (allowed?.includes('ALL') && (drop === undefined || drop.length === 0)) return undefined;
    const params: Record<string, unknown> = {};
    if (allowed !== undefined) params.allowedCapabilities = allowed;
    if (drop !== undefined) params.requiredDropCapabilities = drop;
    return params;
  },
  pss: {
    baseline: () => ({ allowedCapabilities: [...PSS_BASELINE_CAPABILITIES] }),
    // Restricted replaces the baseline control upstream; the baseline constraint still applies in
    // restricted namespaces, which changes nothing since NET_BIND_SERVICE is a baseline capability.
    // Windows pods are exempt from the restricted control (pass/base_windows.yaml).
    restricted: () => ({ allowedCapabilities: ['NET_BIND_SERVICE'], requiredDropCapabilities: ['ALL'], exemptWindowsPods: true }),
  },
};
export default check;
