import type { BuiltInCheck } from './types.js';

// Built in, independent of any policy: exec/attach into `heritage: deckhouse` pods is reserved to
// system:sudouser and the service accounts of d8-* / kube-* namespaces. The CONNECT request does
// not carry the pod, so the Rego reads it from the Gatekeeper inventory (Pods must be synced).
const check: BuiltInCheck = {
  kind: 'D8DenyExecHeritage',
  rego: 'deny-exec-heritage',
  engines: ['Rego'],
  description:
    "Exec into or attach to a Pod labelled 'heritage: deckhouse' is denied unless the user is system:sudouser or a d8-*/kube-* service account.",
  parameters: {},
  matches: [{ apiGroups: [''], kinds: ['PodExecOptions', 'PodAttachOptions'] }],
  source: 'BuiltIn',
  syncs: [{ group: '', version: 'v1', kind: 'Pod' }],
};
export default check;
