package d8.allowed_proc_mount_test

import data.d8.allowed_proc_mount as check

review(spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

pm(name, t) := {"name": name, "securityContext": {"procMount": t}}

msgs(v) := {x.msg | some x in v}

default_only := {"allowedProcMount": "Default"}

test_default_allowed if {
	count(check.violation) == 0 with input as review({"containers": [pm("a", "Default")], "initContainers": [pm("i", "Default")]}, default_only)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}, default_only)
}

test_unmasked_denied if {
	v := check.violation with input as review({"containers": [pm("app", "Unmasked")]}, default_only)
	msgs(v) == {`container "app": securityContext.procMount is "Unmasked"; allowed procMount types: Default`}
}

test_parameter_absent_means_default if {
	count(check.violation) == 1 with input as review({"containers": [pm("app", "Unmasked")]}, {})
}

test_unmasked_allowed_by_parameter if {
	count(check.violation) == 0 with input as review({"containers": [pm("a", "Unmasked"), pm("b", "Default")]}, {"allowedProcMount": "Unmasked"})
}

test_unknown_value_denied if {
	v := check.violation with input as review({"containers": [pm("app", "Weird")]}, {"allowedProcMount": "Unmasked"})
	msgs(v) == {`container "app": securityContext.procMount is "Weird"; allowed procMount types: Default, Unmasked`}
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"containers": [pm("a", "Unmasked"), pm("b", "Default"), pm("c", "Unmasked")]}, default_only)
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [pm("init", "Unmasked")]}, default_only)
	msgs(v) == {`initContainer "init": securityContext.procMount is "Unmasked"; allowed procMount types: Default`}
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [pm("dbg", "Unmasked")]}, default_only)
}

test_user_namespace_exempt_only_with_parameter if {
	spec := {"hostUsers": false, "containers": [pm("a", "Unmasked")]}
	count(check.violation) == 0 with input as review(spec, {"allowedProcMount": "Default", "exemptUserNamespacePods": true})
	count(check.violation) == 1 with input as review(spec, {"allowedProcMount": "Default", "exemptUserNamespacePods": false})
	count(check.violation) == 1 with input as review(spec, default_only)
}

test_host_users_true_not_exempt if {
	spec := {"hostUsers": true, "containers": [pm("a", "Unmasked")]}
	count(check.violation) == 1 with input as review(spec, {"exemptUserNamespacePods": true})
	count(check.violation) == 1 with input as review({"containers": [pm("a", "Unmasked")]}, {"exemptUserNamespacePods": true})
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [pm("a", "Unmasked")]}, default_only), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [pm("app", "Unmasked")]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": default_only}
}
