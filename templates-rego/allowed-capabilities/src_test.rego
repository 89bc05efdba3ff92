package d8.allowed_capabilities_test

import data.d8.allowed_capabilities as check

baseline_caps := ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]

baseline := {"allowedCapabilities": baseline_caps}

restricted := {"allowedCapabilities": ["NET_BIND_SERVICE"], "requiredDropCapabilities": ["ALL"], "exemptWindowsPods": true}

review(spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

caps(name, add, drop) := {"name": name, "securityContext": {"capabilities": {"add": add, "drop": drop}}}

msgs(v) := {x.msg | some x in v}

test_allowed_add if {
	count(check.violation) == 0 with input as review({"containers": [caps("app", baseline_caps, [])]}, baseline)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}, {"name": "c", "securityContext": {"capabilities": {}}}]}, baseline)
}

test_disallowed_add_message if {
	v := check.violation with input as review({"containers": [caps("app", ["NET_RAW", "CHOWN", "SYS_ADMIN"], [])]}, {"allowedCapabilities": ["CHOWN", "KILL"]})
	msgs(v) == {`container "app": securityContext.capabilities.add has NET_RAW, SYS_ADMIN; allowed capabilities to add: CHOWN, KILL`}
}

test_names_compare_exactly if {
	# PSA fixtures: lower-case and CAP_-prefixed names are not the allowed CHOWN.
	count(check.violation) == 1 with input as review({"containers": [caps("app", ["chown"], [])]}, baseline)
	count(check.violation) == 1 with input as review({"containers": [caps("app", ["CAP_CHOWN"], [])]}, baseline)
}

test_all_allows_anything if {
	count(check.violation) == 0 with input as review({"containers": [caps("app", ["SYS_ADMIN", "NET_RAW"], [])]}, {"allowedCapabilities": ["ALL"]})
}

test_absent_allow_list_allows_nothing if {
	v := check.violation with input as review({"containers": [caps("app", ["CHOWN"], ["ALL"])]}, {"requiredDropCapabilities": ["ALL"]})
	msgs(v) == {`container "app": securityContext.capabilities.add has CHOWN; allowed capabilities to add: none`}
}

test_required_drop_all if {
	count(check.violation) == 0 with input as review({"containers": [caps("app", ["NET_BIND_SERVICE"], ["ALL"])]}, restricted)
	v := check.violation with input as review({"containers": [{"name": "app"}]}, restricted)
	msgs(v) == {`container "app": securityContext.capabilities.drop is not set; it must drop ALL`}
}

test_required_drop_all_is_case_sensitive if {
	v := check.violation with input as review({"containers": [caps("app", [], ["all"])]}, restricted)
	msgs(v) == {`container "app": securityContext.capabilities.drop is [all]; it must drop ALL`}
}

test_required_drop_list if {
	params := {"allowedCapabilities": ["ALL"], "requiredDropCapabilities": ["NET_RAW", "SYS_ADMIN"]}
	count(check.violation) == 0 with input as review({"containers": [caps("a", [], ["SYS_ADMIN", "NET_RAW"]), caps("b", [], ["ALL"])]}, params)
	v := check.violation with input as review({"containers": [caps("app", [], ["NET_RAW"])]}, params)
	msgs(v) == {`container "app": securityContext.capabilities.drop is [NET_RAW]; it must drop SYS_ADMIN (or ALL)`}
}

test_restricted_add_and_drop_both_reported if {
	v := check.violation with input as review({"containers": [caps("app", ["CHOWN"], [])]}, restricted)
	count(v) == 2
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [caps("a", ["NET_RAW"], []), {"name": "b"}, caps("c", ["SYS_ADMIN"], [])]}, baseline)
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [caps("init", ["NET_RAW"], [])]}, baseline)
	msgs(v) == {`initContainer "init": securityContext.capabilities.add has NET_RAW; allowed capabilities to add: AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [caps("a", [], ["ALL"])], "ephemeralContainers": [{"name": "dbg"}]}, restricted)
	msgs(v) == {`ephemeralContainer "dbg": securityContext.capabilities.drop is not set; it must drop ALL`}
}

test_windows_exempt_only_when_asked if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "app"}]}
	count(check.violation) == 0 with input as review(spec, restricted)
	count(check.violation) == 1 with input as review(spec, object.remove(restricted, ["exemptWindowsPods"]))
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [caps("app", ["NET_RAW"], [])]}, baseline), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [caps("app", ["NET_RAW"], [])]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": baseline}
}

test_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "app"}]}}}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": restricted}
}
