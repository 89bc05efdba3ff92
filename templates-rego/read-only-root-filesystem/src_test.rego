package d8.read_only_root_filesystem_test

import data.d8.read_only_root_filesystem as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

ro(name) := t.container(name, {"readOnlyRootFilesystem": true})

rw(name) := t.container(name, {"readOnlyRootFilesystem": false})

test_read_only_allowed if {
	count(check.violation) == 0 with input as review({"containers": [ro("a"), ro("b")], "initContainers": [ro("i")], "ephemeralContainers": [ro("e")]})
}

test_false_denied if {
	v := check.violation with input as review({"containers": [rw("app")]})
	t.msgs(v) == {`container "app": securityContext.readOnlyRootFilesystem is false; the root filesystem must be read-only (set it to true)`}
}

test_field_absent_denied if {
	v := check.violation with input as review({"containers": [{"name": "a"}]})
	t.msgs(v) == {`container "a": securityContext.readOnlyRootFilesystem is not set; the root filesystem must be read-only (set it to true)`}
	count(check.violation) == 1 with input as review({"containers": [{"name": "b", "securityContext": {}}]})
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"containers": [rw("a"), ro("b"), {"name": "c"}]})
}

test_init_container if {
	v := check.violation with input as review({"containers": [ro("a")], "initContainers": [rw("init")]})
	t.msgs(v) == {`initContainer "init": securityContext.readOnlyRootFilesystem is false; the root filesystem must be read-only (set it to true)`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ro("a")], "ephemeralContainers": [{"name": "dbg"}]})
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [rw("app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.controller("StatefulSet", "s", {"containers": [rw("app")]})
	count(check.violation) == 1 with input as t.review(obj)
}

# Admission reviews can carry explicit nulls, read as absent: "not set", which is not read-only.
test_null_security_context_is_not_set if {
	spec := {"securityContext": null, "containers": [t.container("a", null), t.container("b", {"readOnlyRootFilesystem": null}), ro("c")]}
	t.msgs(check.violation) == {
		`container "a": securityContext.readOnlyRootFilesystem is not set; the root filesystem must be read-only (set it to true)`,
		`container "b": securityContext.readOnlyRootFilesystem is not set; the root filesystem must be read-only (set it to true)`,
	} with input as review(spec)
}

test_null_security_context_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review(t.pod_object(kind, {"containers": [t.container("a", null)]}))
	}
}
