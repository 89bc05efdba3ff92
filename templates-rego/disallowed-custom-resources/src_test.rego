package d8.disallowed_custom_resources_test

import data.d8.disallowed_custom_resources as check

params := {"resourcePatterns": ["nvidia.com/*", "^example\\.com/fpga$"]}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec}

ctr(name, resources) := {"name": name, "image": "app", "resources": resources}

gpu := {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "1"}}

plain := {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}}

review(obj, p) := {"review": {"operation": "CREATE", "object": obj}, "parameters": p}

with_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

msgs(inp) := {v.msg | some v in check.violation with input as inp}

test_plain_resources_allowed if {
	count(check.violation) == 0 with input as review(pod({"containers": [ctr("app", plain), ctr("side", {"requests": {"example.com/fpga-lite": "1"}})]}), params)
}

test_disallowed_resource_exact_message if {
	v := check.violation with input as review(pod({"containers": [ctr("app", gpu)]}), params)
	{x.msg | some x in v} == {`container "app": resource "nvidia.com/gpu" is requested; resources matching ["nvidia.com/*"] are not allowed`}
	{x.details | some x in v} == {{"field": ["resources.limits", "resources.requests"], "actual": "nvidia.com/gpu", "disallowed": ["nvidia.com/*"]}}
}

test_limits_only_and_requests_only if {
	v1 := check.violation with input as review(pod({"containers": [ctr("app", {"limits": {"example.com/fpga": "1"}})]}), params)
	{x.details.field | some x in v1} == {["resources.limits"]}
	v2 := check.violation with input as review(pod({"containers": [ctr("app", {"requests": {"example.com/fpga": "1"}})]}), params)
	{x.details.field | some x in v2} == {["resources.requests"]}
}

test_patterns_are_unanchored_regular_expressions if {
	count(check.violation) == 1 with input as review(pod({"containers": [ctr("app", {"limits": {"gpu.nvidia.com/mig": "1"}})]}), params)
	count(check.violation) == 0 with input as review(pod({"containers": [ctr("app", {"limits": {"example.com/fpga2": "1"}})]}), params)
}

test_resources_absent_or_null if {
	count(check.violation) == 0 with input as review(pod({"containers": [{"name": "app", "image": "app"}]}), params)
	count(check.violation) == 0 with input as review(pod({"containers": [ctr("app", null), ctr("b", {"limits": null, "requests": null})]}), params)
	count(check.violation) == 0 with input as review(pod({"containers": [ctr("app", gpu)]}), {})
}

test_multiple_containers_and_resources_each_reported if {
	spec := {
		"containers": [ctr("a", gpu), ctr("b", plain), ctr("c", {"limits": {"nvidia.com/gpu": "1", "example.com/fpga": "2"}})],
		"initContainers": [ctr("init", {"requests": {"nvidia.com/mig-1g.5gb": "1"}})],
	}
	v := check.violation with input as review(pod(spec), params)
	{[x.msg] | some x in v} == {
		[`container "a": resource "nvidia.com/gpu" is requested; resources matching ["nvidia.com/*"] are not allowed`],
		[`container "c": resource "nvidia.com/gpu" is requested; resources matching ["nvidia.com/*"] are not allowed`],
		[`container "c": resource "example.com/fpga" is requested; resources matching ["^example\\.com/fpga$"] are not allowed`],
		[`initContainer "init": resource "nvidia.com/mig-1g.5gb" is requested; resources matching ["nvidia.com/*"] are not allowed`],
	}
}

test_every_matching_pattern_named if {
	msgs(review(pod({"containers": [ctr("app", gpu)]}), {"resourcePatterns": ["nvidia", "gpu$", "amd"]})) == {`container "app": resource "nvidia.com/gpu" is requested; resources matching ["gpu$", "nvidia"] are not allowed`}
}

test_invalid_pattern_fails_closed if {
	p := {"resourcePatterns": ["nvidia.com/*", "(unclosed"]}
	v := check.violation with input as review(pod({"containers": [ctr("app", {"limits": {"nvidia.com/gpu": "1", "cpu": "1"}})]}), p)
	{x.msg | some x in v} == {
		`container "app": resource "nvidia.com/gpu" is requested; resources matching ["nvidia.com/*"] are not allowed`,
		`container "app": resource "cpu" cannot be checked: disallowed resource pattern(s) ["(unclosed"] are not valid regular expressions; fix the policy`,
	}

	# A container that sets no resources cannot request a disallowed one.
	count(check.violation) == 0 with input as review(pod({"containers": [{"name": "app", "image": "app"}]}), p)
}

test_controllers if {
	spec := {"containers": [ctr("app", gpu)]}
	every obj in [
		{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": spec}}},
		{"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": spec}}},
		{"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}},
		{"kind": "PodTemplate", "metadata": {"name": "t"}, "template": {"spec": spec}},
	] {
		count(check.violation) == 1 with input as review(obj, params)
	}
}

test_delete_is_never_a_violation if {
	inp := with_operation(review(pod({"containers": [ctr("app", gpu)]}), params), "DELETE")
	count(check.violation) == 0 with input as inp
}
