import type { OperationCheck } from './types.js';

// OperationPolicy `storageClassNames`.
const check: OperationCheck = {
  kind: 'D8StorageClass',
  rego: 'storage-class',
  engines: ['Rego', 'K8sNativeValidation'],
  celOnRequest: 'its messages quote storage class names from the policy',
  description:
    'A PersistentVolumeClaim must set spec.storageClassName to one of the allowed classes (absent is a violation: the DefaultStorageClass plugin has already set it when a default exists).',
  parameters: {
    storageClassNames: { type: 'array', items: { type: 'string' } },
  },
  matches: [{ apiGroups: [''], kinds: ['PersistentVolumeClaim'] }],
  source: 'OperationPolicy',
  fields: ['storageClassNames'],
  // An empty list is dropped like the reference's omitempty marshalling does (no constraint).
  fromPolicy: (p) => {
    const names = p.storageClassNames;
    return Array.isArray(names) && names.length > 0 ? { storageClassNames: names } : undefined;
  },
};
export default check;
