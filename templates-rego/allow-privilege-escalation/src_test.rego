package d8.allow_privilege_escalation_test

import data.d8.allow_privilege_escalation as check
import data.lib.testing as t

ok(name) := t.container(name, {"allowPrivilegeEscalation": false})

escalating(name) := t.container(name, {"allowPrivilegeEscalation": true})

test_explicit_false_allowed if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [ok("a")], "initContainers": [ok("i")], "ephemeralContainers": [ok("e")]}, {})
}

test_true_denied if {
	v := check.violation with input as t.pod_review({"containers": [escalating("app")]}, {})
	t.msgs(v) == {`container "app": securityContext.allowPrivilegeEscalation is true; it must be set to false`}
}

test_field_absent_denied if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}, {})
	t.msgs(v) == {
		`container "a": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
		`container "b": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
	}
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as t.pod_review({"containers": [escalating("a"), ok("b"), {"name": "c"}]}, {})
}

test_init_container if {
	v := check.violation with input as t.pod_review({"containers": [ok("a")], "initContainers": [escalating("init")]}, {})
	t.msgs(v) == {`initContainer "init": securityContext.allowPrivilegeEscalation is true; it must be set to false`}
}

test_ephemeral_container if {
	v := check.violation with input as t.pod_review({"containers": [ok("a")], "ephemeralContainers": [{"name": "dbg"}]}, {})
	t.msgs(v) == {`ephemeralContainer "dbg": securityContext.allowPrivilegeEscalation is not set; it must be set to false`}
}

test_windows_pod_exempt_only_with_parameter if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(check.violation) == 0 with input as t.pod_review(spec, {"exemptWindowsPods": true})
	count(check.violation) == 1 with input as t.pod_review(spec, {"exemptWindowsPods": false})
	count(check.violation) == 1 with input as t.pod_review(spec, {})
}

test_linux_pod_not_exempt if {
	count(check.violation) == 1 with input as t.pod_review({"os": {"name": "linux"}, "containers": [{"name": "a"}]}, {"exemptWindowsPods": true})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"containers": [escalating("app")]}, {}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [escalating("app")]})
	count(check.violation) == 1 with input as t.review(obj)
}

# Admission reviews can carry explicit nulls; Pod Security Admission reads them as absent, so a
# null securityContext or field is "not set", which restricted forbids.
test_null_security_context_is_not_set if {
	spec := {"securityContext": null, "containers": [t.container("a", null)], "initContainers": [t.container("i", {"allowPrivilegeEscalation": null})]}
	t.msgs(check.violation) == {
		`container "a": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
		`initContainer "i": securityContext.allowPrivilegeEscalation is not set; it must be set to false`,
	} with input as t.pod_review(spec, {})
	count(check.violation) == 0 with input as t.pod_review({"securityContext": null, "containers": [ok("a")]}, {})
}

test_null_security_context_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review(t.pod_object(kind, {"containers": [t.container("a", null)]}))
	}
}
