import { type SecurityCheck, podsAndControllers } from './types.js';

// SecurityPolicy `allowedFlexVolumes`.
const check: SecurityCheck = {
  kind: 'D8AllowedFlexVolumes',
  rego: 'allowed-flex-volumes',
  engines: ['Rego'],
  description:
    'Every flexVolume volume of the pod must use one of the allowed drivers (an empty list forbids flexVolume volumes).',
  parameters: {
    allowedFlexVolumes: {
      type: 'array',
      items: {
        type: 'object',
        properties: { driver: { type: 'string' } },
      },
    },
  },
  matches: podsAndControllers,
  source: 'SecurityPolicy',
  fields: ['allowedFlexVolumes'],
  // Rendered whenever the list is present: an explicit [] is kept and forbids every flexVolume
  // (tri-state lists, as the reference's newest hook does).
  fromPolicy: (p) => {
    const list = p.allowedFlexVolumes;
    if (!Array.isArray(list)) return undefined;
    return { allowedFlexVolumes: list.map((e) => ({ driver: e.driver })) };
  },
};
export default check;
