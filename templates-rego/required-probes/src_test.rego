package d8.required_probes_test

import data.d8.required_probes as check
import data.lib.testing as t

params := {"probes": ["livenessProbe", "readinessProbe"]}

review(spec) := t.pod_review(spec, params)

probe := {"httpGet": {"path": "/healthz", "port": 8080}}

probed(name) := {"name": name, "image": "nginx", "livenessProbe": probe, "readinessProbe": probe}

bare(name) := {"name": name, "image": "nginx"}

test_allowed if {
	count(check.violation) == 0 with input as review({"containers": [probed("app")]})
}

test_one_probe_missing_exact_message if {
	c := {"name": "app", "livenessProbe": probe}
	v := check.violation with input as review({"containers": [c]})
	t.msgs(v) == {`container "app": readinessProbe is not set; required probes: ["livenessProbe", "readinessProbe"]`}
}

test_probes_absent_each_reported if {
	v := check.violation with input as review({"containers": [bare("app")]})
	{x.details.field | some x in v} == {"livenessProbe", "readinessProbe"}
}

test_startup_probe_not_required_unless_listed if {
	count(check.violation) == 0 with input as review({"containers": [probed("app")]})
	inp := json.patch(review({"containers": [probed("app")]}), [{"op": "add", "path": "/parameters/probes/-", "value": "startupProbe"}])
	count(check.violation) == 1 with input as inp
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [probed("a"), bare("b"), bare("c")]})
	count(v) == 4
}

test_init_container_is_exempt if {
	count(check.violation) == 0 with input as review({"containers": [probed("app")], "initContainers": [bare("init")]})
}

test_ephemeral_container_is_exempt if {
	count(check.violation) == 0 with input as review({"containers": [probed("app")], "ephemeralContainers": [bare("dbg")]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [bare("app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [bare("app")]})
	count(check.violation) == 2 with input as t.review_with(obj, params)
}
