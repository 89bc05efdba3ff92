import type { SecurityCheck } from './types.js';

// SecurityPolicy `allowedClusterRoles`.
const check: SecurityCheck = {
  kind: 'D8AllowedClusterRoles',
  rego: 'allowed-cluster-roles',
  engines: ['Rego'],
  description:
    'A RoleBinding whose roleRef is a ClusterRole must reference one of the allowed ClusterRoles ("*" allows any).',
  parameters: {
    allowedClusterRoles: { type: 'array', items: { type: 'string' } },
  },
  matches: [{ apiGroups: ['rbac.authorization.k8s.io'], kinds: ['RoleBinding'] }],
  source: 'SecurityPolicy',
  fields: ['allowedClusterRoles'],
  // Present renders (an explicit [] forbids binding any ClusterRole); "*" allows all: no constraint.
  fromPolicy: (p) => {
    const roles = p.allowedClusterRoles;
    if (!Array.isArray(roles)) return undefined;
    const names = roles.filter((r): r is string => typeof r === 'string');
    return names.includes('*') ? undefined : { allowedClusterRoles: names };
  },
};
export default check;
