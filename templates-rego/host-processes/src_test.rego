package d8.host_processes_test

import data.d8.host_processes as check
import data.lib.testing as t

containers := [{"name": "a"}]

test_host_pid_denied if {
	v := check.violation with input as t.pod_review({"hostPID": true, "containers": containers}, {"allowHostPID": false, "allowHostIPC": false})
	t.msgs(v) == {`Pod "p": spec.hostPID is true; sharing the host PID namespace is not allowed`}
}

test_host_ipc_denied if {
	v := check.violation with input as t.pod_review({"hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": false})
	t.msgs(v) == {`Pod "p": spec.hostIPC is true; sharing the host IPC namespace is not allowed`}
}

test_both_denied if {
	count(check.violation) == 2 with input as t.pod_review({"hostPID": true, "hostIPC": true, "containers": containers}, {})
}

test_allowed_by_parameters if {
	count(check.violation) == 0 with input as t.pod_review({"hostPID": true, "hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": true})
}

test_only_the_allowed_one_passes if {
	v := check.violation with input as t.pod_review({"hostPID": true, "hostIPC": true, "containers": containers}, {"allowHostPID": true, "allowHostIPC": false})
	t.msgs(v) == {`Pod "p": spec.hostIPC is true; sharing the host IPC namespace is not allowed`}
}

test_fields_false_or_absent if {
	count(check.violation) == 0 with input as t.pod_review({"hostPID": false, "hostIPC": false, "containers": containers}, {})
	count(check.violation) == 0 with input as t.pod_review({"containers": containers}, {})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"hostPID": true, "containers": containers}, {}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.controller("DaemonSet", "ds", {"hostPID": true, "containers": containers})
	v := check.violation with input as t.review_with(obj, {"allowHostPID": false})
	t.msgs(v) == {`DaemonSet "ds": spec.hostPID is true; sharing the host PID namespace is not allowed`}
}

test_cronjob if {
	obj := t.cronjob({"hostIPC": true, "containers": containers})
	count(check.violation) == 1 with input as t.review(obj)
}
