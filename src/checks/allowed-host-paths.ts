import { exceptionSync } from '../api/exception.js';
import { type SecurityCheck, podsAndControllers } from './types.js';

// PSS baseline "HostPath Volumes"; SecurityPolicy `allowedHostPaths`.
const check: SecurityCheck = {
  kind: 'D8AllowedHostPaths',
  rego: 'allowed-host-paths',
  engines: ['Rego'],
  description:
    'Every hostPath volume must lie under an allowed path prefix (matched by path segments); when every matching prefix is readOnly, each mount of that volume in every container (regular, init, ephemeral) must be readOnly. An empty list forbids hostPath volumes.',
  parameters: {
    allowedHostPaths: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          pathPrefix: { type: 'string' },
          readOnly: { type: 'boolean' },
        },
      },
    },
  },
  matches: podsAndControllers,
  // Consults the SecurityPolicyException a pod references (templates-rego/lib/exception.rego).
  syncs: [exceptionSync],
  source: 'SecurityPolicy',
  fields: ['allowedHostPaths'],
  // Rendered whenever the list is present; an explicit [] forbids every hostPath volume.
  fromPolicy: (p) => {
    const list = p.allowedHostPaths;
    if (!Array.isArray(list)) return undefined;
    return { allowedHostPaths: list.map((e) => ({ pathPrefix: e.pathPrefix, readOnly: e.readOnly === true })) };
  },
  // PSA baseline hostPathVolumes: no hostPath volume at all.
  pss: { baseline: () => ({ allowedHostPaths: [] }) },
};
export default check;
