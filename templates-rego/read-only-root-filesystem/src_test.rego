package d8.read_only_root_filesystem_test

import data.d8.read_only_root_filesystem as check

review(spec) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": {}}

ro(name) := {"name": name, "securityContext": {"readOnlyRootFilesystem": true}}

rw(name) := {"name": name, "securityContext": {"readOnlyRootFilesystem": false}}

msgs(v) := {x.msg | some x in v}

test_read_only_allowed if {
	count(check.violation) == 0 with input as review({"containers": [ro("a"), ro("b")], "initContainers": [ro("i")], "ephemeralContainers": [ro("e")]})
}

test_false_denied if {
	v := check.violation with input as review({"containers": [rw("app")]})
	msgs(v) == {`container "app": securityContext.readOnlyRootFilesystem is false; the root filesystem must be read-only (set it to true)`}
}

test_field_absent_denied if {
	v := check.violation with input as review({"containers": [{"name": "a"}]})
	msgs(v) == {`container "a": securityContext.readOnlyRootFilesystem is not set; the root filesystem must be read-only (set it to true)`}
	count(check.violation) == 1 with input as review({"containers": [{"name": "b", "securityContext": {}}]})
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"containers": [rw("a"), ro("b"), {"name": "c"}]})
}

test_init_container if {
	v := check.violation with input as review({"containers": [ro("a")], "initContainers": [rw("init")]})
	msgs(v) == {`initContainer "init": securityContext.readOnlyRootFilesystem is false; the root filesystem must be read-only (set it to true)`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ro("a")], "ephemeralContainers": [{"name": "dbg"}]})
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [rw("app")]}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": {"containers": [rw("app")]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}}
}
