package d8.priority_class_test

import data.d8.priority_class as check

params := {"priorityClassNames": ["production-high", "production-low"]}

review(spec) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

containers := [{"name": "app", "image": "nginx"}, {"name": "sidecar", "image": "envoy"}]

pod_with(pc) := review({"priorityClassName": pc, "containers": containers})

test_allowed if {
	count(check.violation) == 0 with input as pod_with("production-low")
}

test_violation_exact_message if {
	v := check.violation with input as pod_with("system-cluster-critical")
	{x.msg | some x in v} == {`Pod "p": spec.priorityClassName is "system-cluster-critical"; allowed priority classes: ["production-high", "production-low"]`}
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
	inp := json.patch(pod_with("other"), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"priorityClassName": "other", "containers": containers}}}}
	v := check.violation with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": params}
	{x.msg | some x in v} == {`Deployment "d": spec.priorityClassName is "other"; allowed priority classes: ["production-high", "production-low"]`}
}
