package d8.disallowed_tolerations_test

import data.d8.disallowed_tolerations as check
import data.lib.testing as t

patterns := [
	{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
	{"key": "node-role.kubernetes.io/control-plane"},
	{"operator": "Exists", "effect": "NoExecute"},
]

review(tolerations) := t.pod_review({"containers": [{"name": "a"}], "tolerations": tolerations}, {"tolerations": patterns})

# What Kubernetes adds to every pod (DefaultTolerationSeconds) or to DaemonSet pods.
k8s_defaults := [
	{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
	{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
	{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
]

test_allowed if {
	tols := [
		{"key": "dedicated", "operator": "Equal", "value": "cpu", "effect": "NoSchedule"},
		{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "PreferNoSchedule"},
		{"key": "other", "operator": "Exists", "effect": "NoSchedule"},
	]
	count(check.violation) == 0 with input as review(tols)
}

test_tolerations_absent if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "a"}]}, {"tolerations": patterns})
}

test_full_pattern if {
	v := check.violation with input as review([{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}])
	t.msgs(v) == {`Pod "p": spec.tolerations[0] (key "dedicated", operator "Equal", value "gpu", effect "NoSchedule") matches disallowed toleration key "dedicated", operator "Equal", value "gpu", effect "NoSchedule"`}
}

test_absent_operator_is_equal if {
	count(check.violation) == 1 with input as review([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
}

test_key_only_pattern_matches_any_operator_and_effect if {
	tols := [
		{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"},
		{"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "PreferNoSchedule"},
	]
	v := check.violation with input as review(tols)
	count(v) == 2
	`Pod "p": spec.tolerations[0] (key "node-role.kubernetes.io/control-plane", operator "Exists", effect "NoSchedule") matches disallowed toleration key "node-role.kubernetes.io/control-plane"` in t.msgs(v)
}

test_tolerate_everything_matches_exists_pattern if {
	v := check.violation with input as review([{"operator": "Exists"}])
	count(v) == 0
	inp := json.patch(review([{"operator": "Exists"}]), [{"op": "add", "path": "/parameters/tolerations/-", "value": {"key": "", "operator": "Exists"}}])
	count(check.violation) == 1 with input as inp
}

test_exists_noexecute_pattern if {
	v := check.violation with input as review([{"key": "x", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}])
	t.msgs(v) == {`Pod "p": spec.tolerations[0] (key "x", operator "Exists", effect "NoExecute") matches disallowed toleration operator "Exists", effect "NoExecute"`}
}

test_kubernetes_default_tolerations_ignored if {
	count(check.violation) == 0 with input as review(k8s_defaults)
	inp := json.patch(review(k8s_defaults), [{"op": "replace", "path": "/parameters/tolerations", "value": [{"key": "node.kubernetes.io/not-ready"}]}])
	count(check.violation) == 0 with input as inp
}

test_similar_to_default_but_other_effect_reported if {
	inp := json.patch(review([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}]), [{"op": "replace", "path": "/parameters/tolerations", "value": [{"key": "node.kubernetes.io/not-ready"}]}])
	count(check.violation) == 1 with input as inp
}

test_multiple_patterns_one_violation_per_toleration if {
	v := check.violation with input as review([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoExecute"}, {"key": "ok"}])
	t.msgs(v) == {`Pod "p": spec.tolerations[0] (key "node-role.kubernetes.io/control-plane", operator "Exists", effect "NoExecute") matches disallowed toleration key "node-role.kubernetes.io/control-plane" and operator "Exists", effect "NoExecute"`}
}

test_null_pattern_field_is_wildcard if {
	inp := json.patch(review([{"key": "a", "operator": "Exists"}]), [{"op": "replace", "path": "/parameters/tolerations", "value": [{"key": "a", "value": null, "effect": null}]}])
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review([{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [{"name": "a"}], "tolerations": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]})
	v := check.violation with input as t.review_with(obj, {"tolerations": patterns})
	t.msgs(v) == {`Deployment "d": spec.tolerations[0] (key "dedicated", value "gpu", effect "NoSchedule") matches disallowed toleration key "dedicated", operator "Equal", value "gpu", effect "NoSchedule"`}
}
