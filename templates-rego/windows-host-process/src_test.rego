package d8.windows_host_process_test

import data.d8.windows_host_process as check

review(spec) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": {}}

hp(name) := {"name": name, "securityContext": {"windowsOptions": {"hostProcess": true}}}

msgs(v) := {x.msg | some x in v}

test_allowed if {
	spec := {"securityContext": {"windowsOptions": {"hostProcess": false}}, "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": false, "runAsUserName": "x"}}}]}
	count(check.violation) == 0 with input as review(spec)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"windowsOptions": {}}}]})
}

test_pod_level_denied if {
	v := check.violation with input as review({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a"}]})
	msgs(v) == {`Pod "p": spec.securityContext.windowsOptions.hostProcess is true; Windows HostProcess pods are not allowed`}
}

test_container_denied if {
	v := check.violation with input as review({"containers": [hp("app")]})
	msgs(v) == {`container "app": securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed`}
}

test_multi_container_reports_each if {
	count(check.violation) == 3 with input as review({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [hp("a"), {"name": "b"}, hp("c")]})
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [hp("init")]})
	msgs(v) == {`initContainer "init": securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed`}
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [hp("dbg")]})
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [hp("app")]}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "a"}]}}}}
	v := check.violation with input as {"review": {"operation": "CREATE", "object": obj}}
	msgs(v) == {`Job "j": spec.securityContext.windowsOptions.hostProcess is true; Windows HostProcess pods are not allowed`}
}
