import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

/** Volume source field names of core/v1 Volume, as they appear in pod specs. */
const volumeTypes = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'configMap', 'csi', 'downwardAPI',
  'emptyDir', 'ephemeral', 'fc', 'flexVolume', 'flocker', 'gcePersistentDisk', 'gitRepo', 'glusterfs', 'hostPath',
  'image', 'iscsi', 'nfs', 'persistentVolumeClaim', 'photonPersistentDisk', 'portworxVolume', 'projected', 'quobyte',
  'rbd', 'scaleIO', 'secret', 'storageos', 'vsphereVolume',
];

// The policy enum uses PodSecurityPolicy's FSType names; only one differs from the pod spec key.
const policyToField: Record<string, string> = { cephFS: 'cephfs' };

// PSA v1.37 restrictedVolumes: the volume sources it lets through. `image` has been allowed since
// 1.33 (patched into the 1.0 check, so every policy version allows it).
const restrictedVolumes = [
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret',
];

// PSS restricted "Volume Types"; SecurityPolicy `allowedVolumes`.
const check: SecurityCheck = {
  kind: 'D8AllowedVolumeTypes',
  rego: 'allowed-volume-types',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Every pod volume must use an allowed volume source type ("*" allows all, "none" or an empty list none); a volume without a source counts as emptyDir, as the API server defaults it.',
  parameters: {
    volumes: { type: 'array', items: { type: 'string', enum: ['*', 'none', ...volumeTypes] } },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedVolumes'],
  // Present renders (an explicit [] allows no volume at all); "*" allows every type: no constraint.
  fromPolicy: (p) => {
    const list = p.allowedVolumes;
    if (!Array.isArray(list)) return undefined;
    if (list.includes('*')) return undefined;
    return { volumes: [...new Set(list.map((v) => policyToField[v] ?? v))] };
  },
  pss: { restricted: () => ({ volumes: [...restrictedVolumes] }) },
};
export default check;
