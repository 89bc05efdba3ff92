package d8.allowed_capabilities_test

import data.d8.allowed_capabilities as check
import data.lib.testing as t

baseline_caps := ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]

baseline := {"allowedCapabilities": baseline_caps}

restricted := {"allowedCapabilities": ["NET_BIND_SERVICE"], "requiredDropCapabilities": ["ALL"], "exemptWindowsPods": true}

caps(name, add, drop) := t.container(name, {"capabilities": {"add": add, "drop": drop}})

test_allowed_add if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [caps("app", baseline_caps, [])]}, baseline)
}

test_field_absent if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}, {"name": "c", "securityContext": {"capabilities": {}}}]}, baseline)
}

test_disallowed_add_message if {
	v := check.violation with input as t.pod_review({"containers": [caps("app", ["NET_RAW", "CHOWN", "SYS_ADMIN"], [])]}, {"allowedCapabilities": ["CHOWN", "KILL"]})
	t.msgs(v) == {`container "app": securityContext.capabilities.add has NET_RAW, SYS_ADMIN; allowed capabilities to add: CHOWN, KILL`}
}

test_names_compare_exactly if {
	# PSA fixtures: lower-case and CAP_-prefixed names are not the allowed CHOWN.
	count(check.violation) == 1 with input as t.pod_review({"containers": [caps("app", ["chown"], [])]}, baseline)
	count(check.violation) == 1 with input as t.pod_review({"containers": [caps("app", ["CAP_CHOWN"], [])]}, baseline)
}

test_all_allows_anything if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [caps("app", ["SYS_ADMIN", "NET_RAW"], [])]}, {"allowedCapabilities": ["ALL"]})
}

test_absent_allow_list_allows_nothing if {
	v := check.violation with input as t.pod_review({"containers": [caps("app", ["CHOWN"], ["ALL"])]}, {"requiredDropCapabilities": ["ALL"]})
	t.msgs(v) == {`container "app": securityContext.capabilities.add has CHOWN; allowed capabilities to add: none`}
}

test_required_drop_all if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [caps("app", ["NET_BIND_SERVICE"], ["ALL"])]}, restricted)
	v := check.violation with input as t.pod_review({"containers": [{"name": "app"}]}, restricted)
	t.msgs(v) == {`container "app": securityContext.capabilities.drop is not set; it must drop ALL`}
}

test_required_drop_all_is_case_sensitive if {
	v := check.violation with input as t.pod_review({"containers": [caps("app", [], ["all"])]}, restricted)
	t.msgs(v) == {`container "app": securityContext.capabilities.drop is [all]; it must drop ALL`}
}

test_required_drop_list if {
	params := {"allowedCapabilities": ["ALL"], "requiredDropCapabilities": ["NET_RAW", "SYS_ADMIN"]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [caps("a", [], ["SYS_ADMIN", "NET_RAW"]), caps("b", [], ["ALL"])]}, params)
	v := check.violation with input as t.pod_review({"containers": [caps("app", [], ["NET_RAW"])]}, params)
	t.msgs(v) == {`container "app": securityContext.capabilities.drop is [NET_RAW]; it must drop SYS_ADMIN (or ALL)`}
}

test_restricted_add_and_drop_both_reported if {
	v := check.violation with input as t.pod_review({"containers": [caps("app", ["CHOWN"], [])]}, restricted)
	count(v) == 2
}

test_multi_container_reports_each if {
	v := check.violation with input as t.pod_review({"containers": [caps("a", ["NET_RAW"], []), {"name": "b"}, caps("c", ["SYS_ADMIN"], [])]}, baseline)
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "initContainers": [caps("init", ["NET_RAW"], [])]}, baseline)
	t.msgs(v) == {`initContainer "init": securityContext.capabilities.add has NET_RAW; allowed capabilities to add: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT`}
}

test_ephemeral_container if {
	v := check.violation with input as t.pod_review({"containers": [caps("a", [], ["ALL"])], "ephemeralContainers": [{"name": "dbg"}]}, restricted)
	t.msgs(v) == {`ephemeralContainer "dbg": securityContext.capabilities.drop is not set; it must drop ALL`}
}

test_windows_exempt_only_when_asked if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "app"}]}
	count(check.violation) == 0 with input as t.pod_review(spec, restricted)
	count(check.violation) == 1 with input as t.pod_review(spec, object.remove(restricted, ["exemptWindowsPods"]))
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"containers": [caps("app", ["NET_RAW"], [])]}, baseline), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [caps("app", ["NET_RAW"], [])]})
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

test_cronjob if {
	obj := t.cronjob({"containers": [{"name": "app"}]})
	count(check.violation) == 1 with input as t.review_with(obj, restricted)
}

# Admission reviews can carry explicit nulls; Pod Security Admission reads them as absent: nothing
# is added, and nothing is dropped, so a required drop is still missing.
test_null_capabilities_are_absent if {
	missing_drop := {`container "app": securityContext.capabilities.drop is not set; it must drop ALL`}
	every c in [
		t.container("app", null),
		t.container("app", {"capabilities": null}),
		t.container("app", {"capabilities": {"add": null, "drop": null}}),
		t.container("app", {"capabilities": {"drop": null}}),
	] {
		t.msgs(check.violation) == missing_drop with input as t.pod_review({"securityContext": null, "containers": [c]}, restricted)
		count(check.violation) == 0 with input as t.pod_review({"containers": [c]}, baseline)
	}
}

test_null_add_with_drop_all_allowed if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [caps("app", null, ["ALL"])]}, restricted)
}

test_null_capabilities_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review_with(t.pod_object(kind, {"containers": [t.container("a", {"capabilities": null})]}), restricted)
	}
}
