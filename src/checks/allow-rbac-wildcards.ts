import type { SecurityCheck } from './types.js';

// SecurityPolicy `allowRbacWildcards`.
//
// Reviews Roles and RoleBindings, as the reference does: the policy selects namespaces, and
// ClusterRoles and ClusterRoleBindings belong to none. Matching them would make a policy for one
// namespace deny cluster-wide objects (cluster-admin's "*" rules, operators' ClusterRoles, the
// API server's own bootstrap roles) for every namespace; writing them already takes cluster-wide
// RBAC rights, which allowedClusterRoles and this check exist to keep from namespace users.
const check: SecurityCheck = {
  kind: 'D8AllowRbacWildcards',
  rego: 'allow-rbac-wildcards',
  engines: ['Rego'],
  description:
    'A Role may not use "*" in rules[].apiGroups, resources, verbs or nonResourceURLs, and a RoleBinding may not use it in roleRef.name or subjects[].name.',
  parameters: {},
  matches: [{ apiGroups: ['rbac.authorization.k8s.io'], kinds: ['Role', 'RoleBinding'] }],
  source: 'SecurityPolicy',
  fields: ['allowRbacWildcards'],
  // Only an explicit false asks for the check: its documented default is true (wildcards allowed).
  fromPolicy: (p) => (p.allowRbacWildcards === false ? {} : undefined),
};
export default check;
