package d8.required_resources_test

import data.d8.required_resources as check
import data.lib.testing as t

params := {"limits": ["memory"], "requests": ["cpu", "memory"]}

review(spec) := t.pod_review(spec, params)

full(name) := {"name": name, "image": "nginx", "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}}}

bare(name) := {"name": name, "image": "nginx"}

test_allowed if {
	count(check.violation) == 0 with input as review({"containers": [full("app")], "initContainers": [full("init")]})
}

test_resources_absent_exact_messages if {
	v := check.violation with input as review({"containers": [bare("app")]})
	t.msgs(v) == {
		`container "app": resources.limits does not set ["memory"]; required limits: ["memory"]`,
		`container "app": resources.requests does not set ["cpu", "memory"]; required requests: ["cpu", "memory"]`,
	}
}

test_missing_request_only if {
	c := {"name": "app", "resources": {"limits": {"memory": "1Gi"}, "requests": {"memory": "1Gi"}}}
	v := check.violation with input as review({"containers": [c]})
	t.msgs(v) == {`container "app": resources.requests does not set ["cpu"]; required requests: ["cpu", "memory"]`}
}

test_limit_stands_for_missing_request if {
	c := {"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
	count(check.violation) == 0 with input as review({"containers": [c]})
}

test_null_value_is_unset if {
	c := {"name": "app", "resources": {"limits": {"memory": null}, "requests": {"cpu": "1", "memory": "1Gi"}}}
	count(check.violation) == 1 with input as review({"containers": [c]})
}

test_only_limits_required if {
	inp := json.patch(review({"containers": [{"name": "app", "resources": {"limits": {"memory": "1Gi"}}}]}), [{"op": "replace", "path": "/parameters", "value": {"limits": ["memory"]}}])
	count(check.violation) == 0 with input as inp
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [full("a"), bare("b"), bare("c")]})
	{x.msg | some x in v; startswith(x.msg, `container "b"`)} != set()
	count(v) == 4
}

test_init_container if {
	v := check.violation with input as review({"containers": [full("app")], "initContainers": [bare("init")]})
	count(v) == 2
	every x in v {
		startswith(x.msg, `initContainer "init": `)
	}
}

test_ephemeral_container_is_skipped if {
	count(check.violation) == 0 with input as review({"containers": [full("app")], "ephemeralContainers": [bare("dbg")]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [bare("app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [bare("app")]})
	count(check.violation) == 2 with input as t.review_with(obj, params)
}
