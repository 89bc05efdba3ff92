// The check catalog: every check the product can compile, one entry per file.
import { byKey } from '../util/order.js';
import type { Check } from './types.js';
import privilegedContainer from './privileged-container.js';
import hostNetwork from './host-network.js';
import hostProcesses from './host-processes.js';
import allowPrivilegeEscalation from './allow-privilege-escalation.js';
import readOnlyRootFilesystem from './read-only-root-filesystem.js';
import automountServiceAccountToken from './automount-service-account-token.js';
import windowsHostProcess from './windows-host-process.js';
import hostProbesLifecycle from './host-probes-lifecycle.js';
import allowedProcMount from './allowed-proc-mount.js';
import allowedCapabilities from './allowed-capabilities.js';
import apparmor from './apparmor.js';
import allowedSysctls from './allowed-sysctls.js';
import allowedSeccompProfiles from './allowed-seccomp-profiles.js';
import selinux from './selinux.js';
import allowedFlexVolumes from './allowed-flex-volumes.js';
import allowedHostPaths from './allowed-host-paths.js';
import allowedVolumeTypes from './allowed-volume-types.js';
import allowedUsers from './allowed-users.js';
import allowedClusterRoles from './allowed-cluster-roles.js';
import allowedRepos from './allowed-repos.js';
import requiredResources from './required-resources.js';
import disallowedTags from './disallowed-tags.js';
import requiredProbes from './required-probes.js';
import revisionHistoryLimit from './revision-history-limit.js';
import imagePullPolicy from './image-pull-policy.js';
import priorityClass from './priority-class.js';
import dnsPolicy from './dns-policy.js';
import containerDuplicates from './container-duplicates.js';
import requiredLabels from './required-labels.js';
import requiredAnnotations from './required-annotations.js';
import ingressClass from './ingress-class.js';
import storageClass from './storage-class.js';
import replicaLimits from './replica-limits.js';
import disallowedTolerations from './disallowed-tolerations.js';
import denyExecHeritage from './deny-exec-heritage.js';
import allowRbacWildcards from './allow-rbac-wildcards.js';
import allowedServiceTypes from './allowed-service-types.js';
import allowedIngresses from './allowed-ingresses.js';
import disallowedCustomResources from './disallowed-custom-resources.js';
import gpuResourceRestriction from './gpu-resource-restriction.js';
import verifyImageSignatures from './verify-image-signatures.js';

const entries: (Check | undefined)[] = [
  privilegedContainer,
  hostNetwork,
  hostProcesses,
  allowPrivilegeEscalation,
  readOnlyRootFilesystem,
  automountServiceAccountToken,
  windowsHostProcess,
  hostProbesLifecycle,
  allowedProcMount,
  allowedCapabilities,
  apparmor,
  allowedSysctls,
  allowedSeccompProfiles,
  selinux,
  allowedFlexVolumes,
  allowedHostPaths,
  allowedVolumeTypes,
  allowedUsers,
  allowedClusterRoles,
  allowedRepos,
  requiredResources,
  disallowedTags,
  requiredProbes,
  revisionHistoryLimit,
  imagePullPolicy,
  priorityClass,
  dnsPolicy,
  containerDuplicates,
  requiredLabels,
  requiredAnnotations,
  ingressClass,
  storageClass,
  replicaLimits,
  disallowedTolerations,
  denyExecHeritage,
  allowRbacWildcards,
  allowedServiceTypes,
  allowedIngresses,
  disallowedCustomResources,
  gpuResourceRestriction,
  verifyImageSignatures,
];

/**
 * `spec.policies` fields the CRDs accept that no check enforces yet. A policy that sets one is
 * reported as not enforced (Ready=False, reason Unsupported, a Warning Event, a render note) and
 * its other checks still apply: never a silent success. The contract test (test/unit/catalog.test.ts)
 * proves every CRD field is either consumed by exactly one check or listed here.
 */
export const NOT_YET_ENFORCED: Readonly<Record<'SecurityPolicy' | 'OperationPolicy', Readonly<Record<string, string>>>> = {
  SecurityPolicy: {},
  OperationPolicy: {},
};

export const catalog: readonly Check[] = entries
  .filter((c): c is Check => c !== undefined)
  .sort(byKey((c) => c.kind));

export type { Check } from './types.js';
