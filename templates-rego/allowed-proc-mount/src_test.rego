package d8.allowed_proc_mount_test

import data.d8.allowed_proc_mount as check
import data.lib.testing as t

pm(name, type) := t.container(name, {"procMount": type})

default_only := {"allowedProcMount": "Default"}

test_default_allowed if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [pm("a", "Default")], "initContainers": [pm("i", "Default")]}, default_only)
}

test_field_absent if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}, default_only)
}

test_unmasked_denied if {
	v := check.violation with input as t.pod_review({"containers": [pm("app", "Unmasked")]}, default_only)
	t.msgs(v) == {`container "app": securityContext.procMount is "Unmasked"; allowed procMount types: Default`}
}

test_parameter_absent_means_default if {
	count(check.violation) == 1 with input as t.pod_review({"containers": [pm("app", "Unmasked")]}, {})
}

test_unmasked_allowed_by_parameter if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [pm("a", "Unmasked"), pm("b", "Default")]}, {"allowedProcMount": "Unmasked"})
}

test_unknown_value_denied if {
	v := check.violation with input as t.pod_review({"containers": [pm("app", "Weird")]}, {"allowedProcMount": "Unmasked"})
	t.msgs(v) == {`container "app": securityContext.procMount is "Weird"; allowed procMount types: Default, Unmasked`}
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as t.pod_review({"containers": [pm("a", "Unmasked"), pm("b", "Default"), pm("c", "Unmasked")]}, default_only)
}

test_init_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "initContainers": [pm("init", "Unmasked")]}, default_only)
	t.msgs(v) == {`initContainer "init": securityContext.procMount is "Unmasked"; allowed procMount types: Default`}
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as t.pod_review({"containers": [{"name": "a"}], "ephemeralContainers": [pm("dbg", "Unmasked")]}, default_only)
}

test_user_namespace_exempt_only_with_parameter if {
	spec := {"hostUsers": false, "containers": [pm("a", "Unmasked")]}
	count(check.violation) == 0 with input as t.pod_review(spec, {"allowedProcMount": "Default", "exemptUserNamespacePods": true})
	count(check.violation) == 1 with input as t.pod_review(spec, {"allowedProcMount": "Default", "exemptUserNamespacePods": false})
	count(check.violation) == 1 with input as t.pod_review(spec, default_only)
}

test_host_users_true_not_exempt if {
	spec := {"hostUsers": true, "containers": [pm("a", "Unmasked")]}
	count(check.violation) == 1 with input as t.pod_review(spec, {"exemptUserNamespacePods": true})
	count(check.violation) == 1 with input as t.pod_review({"containers": [pm("a", "Unmasked")]}, {"exemptUserNamespacePods": true})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"containers": [pm("a", "Unmasked")]}, default_only), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [pm("app", "Unmasked")]})
	count(check.violation) == 1 with input as t.review_with(obj, default_only)
}

# Admission reviews can carry explicit nulls; a null procMount or securityContext is unset, the
# Default /proc mount.
test_null_proc_mount_is_default if {
	spec := {"securityContext": null, "containers": [t.container("a", null), pm("b", null), pm("c", "Unmasked")]}
	t.msgs(check.violation) == {`container "c": securityContext.procMount is "Unmasked"; allowed procMount types: Default`} with input as t.pod_review(spec, default_only)
}
