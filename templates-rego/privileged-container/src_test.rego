package d8.privileged_container_test

import data.d8.privileged_container as check

review(spec) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": {}}

privileged(name) := {"name": name, "securityContext": {"privileged": true}}

test_allowed_unprivileged if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a", "securityContext": {"privileged": false}}]})
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]})
}

test_privileged_container if {
	v := check.violation with input as review({"containers": [privileged("app")]})
	{x.msg | some x in v} == {`container "app": securityContext.privileged is true; privileged containers are not allowed`}
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [privileged("a"), {"name": "b"}, privileged("c")]})
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [privileged("init")]})
	{x.msg | some x in v} == {`initContainer "init": securityContext.privileged is true; privileged containers are not allowed`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [privileged("dbg")]})
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [privileged("app")]}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [privileged("app")]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}}
}
