package d8.container_duplicates_test

import data.d8.container_duplicates as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

test_allowed_unique_names if {
	spec := {
		"containers": [{"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y"}]}, {"name": "b", "env": [{"name": "X"}]}],
		"initContainers": [{"name": "a", "env": [{"name": "X"}]}],
	}
	count(check.violation) == 0 with input as review(spec)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "env": []}]})
}

test_duplicate_container_names if {
	v := check.violation with input as review({"containers": [{"name": "app"}, {"name": "app"}, {"name": "b"}]})
	t.msgs(v) == {`Pod "p": containers has duplicate name "app" (2 times); container names must be unique`}
}

test_duplicate_init_container_names if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [{"name": "i"}, {"name": "i"}, {"name": "i"}]})
	t.msgs(v) == {`Pod "p": initContainers has duplicate name "i" (3 times); container names must be unique`}
}

test_same_name_in_containers_and_init_containers_is_separate if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}], "initContainers": [{"name": "a"}]})
}

test_duplicate_env if {
	v := check.violation with input as review({"containers": [{"name": "app", "env": [{"name": "X", "value": "1"}, {"name": "X", "value": "2"}]}]})
	t.msgs(v) == {`container "app": env has duplicate name "X" (2 times); env variable names must be unique within a container`}
}

test_multi_container_reports_each if {
	spec := {"containers": [
		{"name": "a", "env": [{"name": "X"}, {"name": "X"}]},
		{"name": "b", "env": [{"name": "X"}]},
		{"name": "c", "env": [{"name": "Y"}, {"name": "Y"}, {"name": "Z"}, {"name": "Z"}]},
	]}
	v := check.violation with input as review(spec)
	count(v) == 3
}

test_init_container_env if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [{"name": "init", "env": [{"name": "E"}, {"name": "E"}]}]})
	t.msgs(v) == {`initContainer "init": env has duplicate name "E" (2 times); env variable names must be unique within a container`}
}

test_ephemeral_container_env if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [{"name": "dbg", "env": [{"name": "E"}, {"name": "E"}]}]})
	t.msgs(v) == {`ephemeralContainer "dbg": env has duplicate name "E" (2 times); env variable names must be unique within a container`}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [{"name": "a"}, {"name": "a"}]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [{"name": "a"}, {"name": "a", "env": [{"name": "X"}, {"name": "X"}]}]})
	v := check.violation with input as t.review(obj)
	t.msgs(v) == {
		`Deployment "d": containers has duplicate name "a" (2 times); container names must be unique`,
		`container "a": env has duplicate name "X" (2 times); env variable names must be unique within a container`,
	}
}
