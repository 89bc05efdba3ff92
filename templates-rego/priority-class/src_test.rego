package d8.priority_class_test

import data.d8.priority_class as check
import data.lib.testing as t

params := {"priorityClassNames": ["production-high", "production-low"]}

review(spec) := t.pod_review(spec, params)

containers := [{"name": "app", "image": "nginx"}, {"name": "sidecar", "image": "envoy"}]

pod_with(pc) := review({"priorityClassName": pc, "containers": containers})

test_allowed if {
	count(check.violation) == 0 with input as pod_with("production-low")
}

test_violation_exact_message if {
	v := check.violation with input as pod_with("system-cluster-critical")
	t.msgs(v) == {`Pod "p": spec.priorityClassName is "system-cluster-critical"; allowed priority classes: ["production-high", "production-low"]`}
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": containers})
}

test_empty_string_is_unset if {
	count(check.violation) == 0 with input as pod_with("")
}

test_multi_container_pod_reported_once if {
	count(check.violation) == 1 with input as pod_with("other")
}

test_init_and_ephemeral_containers_do_not_matter if {
	spec := {"priorityClassName": "production-high", "containers": containers, "initContainers": [{"name": "init"}], "ephemeralContainers": [{"name": "dbg"}]}
	count(check.violation) == 0 with input as review(spec)
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(pod_with("other"), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"priorityClassName": "other", "containers": containers})
	v := check.violation with input as t.review_with(obj, params)
	t.msgs(v) == {`Deployment "d": spec.priorityClassName is "other"; allowed priority classes: ["production-high", "production-low"]`}
}
