package d8.windows_host_process_test

import data.d8.windows_host_process as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

hp(name) := t.container(name, {"windowsOptions": {"hostProcess": true}})

test_allowed if {
	spec := {"securityContext": {"windowsOptions": {"hostProcess": false}}, "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": false, "runAsUserName": "x"}}}]}
	count(check.violation) == 0 with input as review(spec)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"windowsOptions": {}}}]})
}

test_pod_level_denied if {
	v := check.violation with input as review({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a"}]})
	t.msgs(v) == {`Pod "p": spec.securityContext.windowsOptions.hostProcess is true; Windows HostProcess pods are not allowed`}
}

test_container_denied if {
	v := check.violation with input as review({"containers": [hp("app")]})
	t.msgs(v) == {`container "app": securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed`}
}

test_multi_container_reports_each if {
	count(check.violation) == 3 with input as review({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [hp("a"), {"name": "b"}, hp("c")]})
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [hp("init")]})
	t.msgs(v) == {`initContainer "init": securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed`}
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [hp("dbg")]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [hp("app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.controller("Job", "j", {"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a"}]})
	v := check.violation with input as t.review(obj)
	t.msgs(v) == {`Job "j": spec.securityContext.windowsOptions.hostProcess is true; Windows HostProcess pods are not allowed`}
}

# Admission reviews can carry explicit nulls, read as absent: not a HostProcess container.
test_null_security_context_is_no_host_process if {
	spec := {"securityContext": null, "containers": [t.container("a", null), t.container("b", {"windowsOptions": null}), t.container("c", {"windowsOptions": {"hostProcess": null}}), hp("d")]}
	t.msgs(check.violation) == {`container "d": securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed`} with input as review(spec)
}
