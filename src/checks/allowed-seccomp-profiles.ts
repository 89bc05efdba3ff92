import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline and restricted "Seccomp"; SecurityPolicy seccompProfiles.
const check: SecurityCheck = {
  kind: 'D8AllowedSeccompProfiles',
  rego: 'allowed-seccomp-profiles',
  engines: ['Rego'],
  description:
    'Every seccomp profile a pod declares (pod and container securityContext.seccompProfile, legacy seccomp annotations) must be allowed, and a container without any must have unset allowed.',
  parameters: {
    allowedProfiles: {
      type: 'array',
      description:
        'RuntimeDefault (= runtime/default, docker/default), Unconfined (= unconfined), Localhost (file from allowedLocalhostFiles), localhost/<file>, * (any; Localhost files still limited by allowedLocalhostFiles when given), "" or undefined (unset allowed). Absent: none.',
      items: { type: 'string' },
    },
    allowedLocalhostFiles: {
      type: 'array',
      description: 'Localhost profile files allowed with the Localhost entry, exact or glob; * = any. Absent: none.',
      items: { type: 'string' },
    },
    exemptWindowsPods: {
      type: 'boolean',
      description: 'Skip pods with spec.os.name windows (PSS restricted does).',
    },
    ignoreAnnotations: {
      type: 'boolean',
      description: 'Judge only the securityContext.seccompProfile fields, not the legacy seccomp annotations (as Pod Security Admission does since 1.19).',
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['seccompProfiles.allowedProfiles', 'seccompProfiles.allowedLocalhostFiles'],
  // Rendered when seccompProfiles sets either list, except the no-op "any profile, any file"
  // (`*` with allowedLocalhostFiles absent or containing `*`).
  fromPolicy: (p) => {
    const sp = p.seccompProfiles;
    if (typeof sp !== 'object' || sp === null) return undefined;
    const { allowedProfiles, allowedLocalhostFiles } = sp as Record<string, unknown>;
    const profiles = Array.isArray(allowedProfiles) ? (allowedProfiles as unknown[]) : undefined;
    const files = Array.isArray(allowedLocalhostFiles) ? (allowedLocalhostFiles as unknown[]) : undefined;
    if (profiles === undefined && files === undefined) return undefined;
    if (profiles?.includes('*') && (files === undefined || files.includes('*'))) return undefined;
    const params: Record<string, unknown> = {};
    if (profiles !== undefined) params.allowedProfiles = profiles;
    if (files !== undefined) params.allowedLocalhostFiles = files;
    return params;
  },
  pss: {
    // Pod Security Admission v1.37 reads only the fields: Unconfined (pod or container) is
    // forbidden, RuntimeDefault, Localhost and unset are fine.
    baseline: () => ({ allowedProfiles: ['RuntimeDefault', 'Localhost', ''], allowedLocalhostFiles: ['*'], ignoreAnnotations: true }),
    // Every container's effective profile must be RuntimeDefault or Localhost; Windows pods exempt.
    restricted: () => ({
      allowedProfiles: ['RuntimeDefault', 'Localhost'],
      allowedLocalhostFiles: ['*'],
      exemptWindowsPods: true,
      ignoreAnnotations: true,
    }),
  },
};
export default check;
