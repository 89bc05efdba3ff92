package d8.allowed_cluster_roles_test

import data.d8.allowed_cluster_roles as check
import data.lib.testing as t

params := {"allowedClusterRoles": ["view", "edit"]}

binding(kind, name) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
	"metadata": {"name": "rb", "namespace": "ns"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": name},
	"subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}],
}

review(obj) := t.review_with(obj, params)

msgs(inp) := m if {
	v := check.violation with input as inp
	m := t.msgs(v)
}

test_allowed_cluster_role if {
	count(check.violation) == 0 with input as review(binding("ClusterRole", "view"))
}

test_role_ref_to_namespaced_role_ignored if {
	count(check.violation) == 0 with input as review(binding("Role", "cluster-admin"))
}

test_disallowed_cluster_role_message if {
	msgs(review(binding("ClusterRole", "cluster-admin"))) == {`RoleBinding "rb": roleRef.name is ClusterRole "cluster-admin"; allowed ClusterRoles: "edit", "view"`}
}

test_empty_list_forbids_every_cluster_role if {
	msgs(t.review_with(binding("ClusterRole", "view"), {"allowedClusterRoles": []})) == {`RoleBinding "rb": roleRef.name is ClusterRole "view"; allowed ClusterRoles: none`}
}

test_star_allows_any if {
	count(check.violation) == 0 with input as t.review_with(binding("ClusterRole", "cluster-admin"), {"allowedClusterRoles": ["*"]})
}

test_names_are_exact if {
	count(check.violation) == 1 with input as review(binding("ClusterRole", "view-all"))
	count(check.violation) == 1 with input as review(binding("ClusterRole", "View"))
}

test_missing_role_ref_ignored if {
	obj := json.remove(binding("ClusterRole", "x"), ["roleRef"])
	count(check.violation) == 0 with input as review(obj)
}

test_cluster_role_binding_not_reviewed if {
	obj := json.patch(binding("ClusterRole", "cluster-admin"), [{"op": "replace", "path": "/kind", "value": "ClusterRoleBinding"}])
	count(check.violation) == 0 with input as review(obj)
}

test_update_is_reviewed if {
	inp := t.as_operation(review(binding("ClusterRole", "admin")), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review(binding("ClusterRole", "cluster-admin")), "DELETE")
	count(check.violation) == 0 with input as inp
}
