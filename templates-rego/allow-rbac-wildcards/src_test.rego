package d8.allow_rbac_wildcards_test

import data.d8.allow_rbac_wildcards as check

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "ns"}, "rules": rules}

binding(kind, role_name, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
	"metadata": {"name": "rb", "namespace": "ns"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
	"subjects": subjects,
}

user(name) := {"kind": "User", "name": name, "apiGroup": "rbac.authorization.k8s.io"}

read_pods := {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}

review(obj) := {"review": {"operation": "CREATE", "object": obj}}

with_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

msgs(inp) := {v.msg | some v in check.violation with input as inp}

test_role_without_wildcards_allowed if {
	count(check.violation) == 0 with input as review(role("Role", [read_pods, {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get"]}]))
}

test_verbs_wildcard_exact_message if {
	msgs(review(role("Role", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]))) == {`Role "r": rules[0].verbs[0] is "*"; wildcards ("*") are not allowed in RBAC rules`}
}

test_every_rule_field_and_every_rule if {
	obj := role("Role", [read_pods, {"apiGroups": ["*"], "resources": ["*/scale", "pods"], "verbs": ["get", "*"]}])
	v := check.violation with input as review(obj)
	{x.details | some x in v} == {
		{"field": "rules[1].apiGroups[0]", "actual": "*"},
		{"field": "rules[1].resources[0]", "actual": "*/scale"},
		{"field": "rules[1].verbs[1]", "actual": "*"},
	}
}

test_resource_names_are_not_wildcards if {
	count(check.violation) == 0 with input as review(role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["*"], "verbs": ["get"]}]))
}

test_fields_absent_or_null if {
	count(check.violation) == 0 with input as review(role("Role", []))
	count(check.violation) == 0 with input as review(role("Role", null))
	count(check.violation) == 0 with input as review(json.remove(role("Role", []), ["rules"]))
	count(check.violation) == 0 with input as review(role("Role", [{"verbs": ["get"]}, {"apiGroups": null, "resources": null, "verbs": ["list"]}]))
	count(check.violation) == 0 with input as review(json.remove(binding("RoleBinding", "view", null), ["roleRef"]))
}

test_binding_without_wildcards_allowed if {
	count(check.violation) == 0 with input as review(binding("RoleBinding", "view", [user("alice"), {"kind": "ServiceAccount", "name": "default", "namespace": "ns"}]))
}

test_binding_role_ref_wildcard if {
	msgs(review(binding("RoleBinding", "*", [user("alice")]))) == {`RoleBinding "rb": roleRef.name is "*"; wildcards ("*") are not allowed in RBAC bindings`}
}

test_binding_subjects_each_reported if {
	v := check.violation with input as review(binding("RoleBinding", "view", [user("alice"), user("*"), {"kind": "Group", "name": "team-*", "apiGroup": "rbac.authorization.k8s.io"}]))
	{x.details.field | some x in v} == {"subjects[1].name", "subjects[2].name"}
}

test_cluster_scoped_kinds_read_the_same_way if {
	msgs(review(role("ClusterRole", [{"nonResourceURLs": ["/metrics/*"], "verbs": ["get"]}]))) == {`ClusterRole "r": rules[0].nonResourceURLs[0] is "/metrics/*"; wildcards ("*") are not allowed in RBAC rules`}
	count(check.violation) == 1 with input as review(binding("ClusterRoleBinding", "*", [user("alice")]))
}

test_update_is_reviewed if {
	inp := with_operation(review(role("Role", [{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}])), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := with_operation(review(role("Role", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])), "DELETE")
	count(check.violation) == 0 with input as inp
	inp2 := with_operation(review(binding("RoleBinding", "*", [user("*")])), "DELETE")
	count(check.violation) == 0 with input as inp2
}

test_other_kinds_ignored if {
	obj := json.patch(role("Role", [{"verbs": ["*"]}]), [{"op": "replace", "path": "/kind", "value": "ConfigMap"}])
	count(check.violation) == 0 with input as review(obj)
}
