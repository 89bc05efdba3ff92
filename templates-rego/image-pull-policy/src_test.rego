package d8.image_pull_policy_test

import data.d8.image_pull_policy as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {"policy": "Always"})

ctr(name, policy) := {"name": name, "image": "nginx:1.25", "imagePullPolicy": policy}

test_allowed if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "Always")]})
}

test_violation_exact_message if {
	v := check.violation with input as review({"containers": [ctr("app", "IfNotPresent")]})
	t.msgs(v) == {`container "app": imagePullPolicy is "IfNotPresent"; only "Always" is allowed`}
}

test_never_violates if {
	count(check.violation) == 1 with input as review({"containers": [ctr("app", "Never")]})
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "app", "image": "nginx:1.25"}]})
}

test_if_not_present_policy if {
	inp := json.patch(review({"containers": [ctr("a", "IfNotPresent"), ctr("b", "Always")]}), [{"op": "replace", "path": "/parameters/policy", "value": "IfNotPresent"}])
	v := check.violation with input as inp
	t.msgs(v) == {`container "b": imagePullPolicy is "Always"; only "IfNotPresent" is allowed`}
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [ctr("a", "Never"), ctr("b", "Always"), ctr("c", "IfNotPresent")]})
	count(v) == 2
}

test_init_container_is_not_reviewed if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "Always")], "initContainers": [ctr("init", "Never")]})
}

test_ephemeral_container_is_not_reviewed if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "Always")], "ephemeralContainers": [ctr("dbg", "Never")]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [ctr("app", "Never")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.cronjob({"containers": [ctr("app", "Never")]})
	count(check.violation) == 1 with input as t.review_with(obj, {"policy": "Always"})
}
