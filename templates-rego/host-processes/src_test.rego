package d8.host_processes_test

import data.d8.host_processes as check

review(spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

containers := [{"name": "a"}]

msgs(v) := {x.msg | some x in v}

test_host_pid_denied if {
	v := check.violation with input as review({"hostPID": true, "containers": containers}, {"allowHostPID": false, "allowHostIPC": false})
	msgs(v) == {`Pod "p": spec.hostPID is true; sharing the host PID namespace is not allowed`}
}

test_host_ipc_denied if {
	v := check.violation with input as review({"hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": false})
	msgs(v) == {`Pod "p": spec.hostIPC is true; sharing the host IPC namespace is not allowed`}
}

test_both_denied if {
	count(check.violation) == 2 with input as review({"hostPID": true, "hostIPC": true, "containers": containers}, {})
}

test_allowed_by_parameters if {
	count(check.violation) == 0 with input as review({"hostPID": true, "hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": true})
}

test_only_the_allowed_one_passes if {
	v := check.violation with input as review({"hostPID": true, "hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": false})
	msgs(v) == {`Pod "p": spec.hostIPC is true; sharing the host IPC namespace is not allowed`}
}

test_fields_false_or_absent if {
	count(check.violation) == 0 with input as review({"hostPID": false, "hostIPC": false, "containers": containers}, {})
	count(check.violation) == 0 with input as review({"containers": containers}, {})
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"hostPID": true, "containers": containers}, {}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "DaemonSet", "metadata": {"name": "ds"}, "spec": {"template": {"spec": {"hostPID": true, "containers": containers}}}}
	v := check.violation with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": {"allowHostPID": false}}
	msgs(v) == {`DaemonSet "ds": spec.hostPID is true; sharing the host PID namespace is not allowed`}
}

test_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostIPC": true, "containers": containers}}}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}}
}
