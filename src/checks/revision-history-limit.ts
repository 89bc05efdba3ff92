import type { OperationCheck } from './types.js';

// OperationPolicy `maxRevisionHistoryLimit`. StatefulSet is matched too, unlike the reference
// (Deployment and DaemonSet only): its spec.revisionHistoryLimit has the same meaning (old
// ControllerRevisions kept) and the same default of 10, so a policy capping history means it too.
const check: OperationCheck = {
  kind: 'D8RevisionHistoryLimit',
  rego: 'revision-history-limit',
  engines: ['Rego', 'K8sNativeValidation'],
  description:
    'Deployments, DaemonSets and StatefulSets must keep spec.revisionHistoryLimit (absent = the Kubernetes default of 10) at or below the limit.',
  parameters: {
    limit: { type: 'integer' },
  },
  matches: [{ apiGroups: ['apps'], kinds: ['Deployment', 'DaemonSet', 'StatefulSet'] }],
  source: 'OperationPolicy',
  fields: ['maxRevisionHistoryLimit'],
  // Any integer, 0 included (0 = keep no old revisions), is a real limit.
  fromPolicy: (p) => {
    const limit = p.maxRevisionHistoryLimit;
    return typeof limit === 'number' && Number.isInteger(limit) ? { limit } : undefined;
  },
};
export default check;
