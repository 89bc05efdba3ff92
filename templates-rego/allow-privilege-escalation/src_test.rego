package d8.allow_privilege_escalation_test

import data.d8.allow_privilege_escalation as check

review(spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

ok(name) := {"name": name, "securityContext": {"allowPrivilegeEscalation": false}}

escalating(name) := {"name": name, "securityContext": {"allowPrivilegeEscalation": true}}

msgs(v) := {x.msg | some x in v}

test_explicit_false_allowed if {
	count(check.violation) == 0 with input as review({"containers": [ok("a")], "initContainers": [ok("i")], "ephemeralContainers": [ok("e")]}, {})
}

test_true_denied if {
	v := check.violation with input as review({"containers": [escalating("app")]}, {})
	msgs(v) == {`container "app": securityContext.allowPrivilegeEscalation is true; it must be set to false`}
}

test_field_absent_denied if {
	v := check.violation with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}, {})
	msgs(v) == {
		`container "a": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
		`container "b": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
	}
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"containers": [escalating("a"), ok("b"), {"name": "c"}]}, {})
}

test_init_container if {
	v := check.violation with input as review({"containers": [ok("a")], "initContainers": [escalating("init")]}, {})
	msgs(v) == {`initContainer "init": securityContext.allowPrivilegeEscalation is true; it must be set to false`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ok("a")], "ephemeralContainers": [{"name": "dbg"}]}, {})
	msgs(v) == {`ephemeralContainer "dbg": securityContext.allowPrivilegeEscalation is not set; it must be set to false`}
}

test_windows_pod_exempt_only_with_parameter if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(check.violation) == 0 with input as review(spec, {"exemptWindowsPods": true})
	count(check.violation) == 1 with input as review(spec, {"exemptWindowsPods": false})
	count(check.violation) == 1 with input as review(spec, {})
}

test_linux_pod_not_exempt if {
	count(check.violation) == 1 with input as review({"os": {"name": "linux"}, "containers": [{"name": "a"}]}, {"exemptWindowsPods": true})
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [escalating("app")]}, {}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [escalating("app")]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}}
}
