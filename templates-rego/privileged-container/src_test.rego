package d8.privileged_container_test

import data.d8.privileged_container as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

privileged(name) := t.container(name, {"privileged": true})

test_allowed_unprivileged if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a", "securityContext": {"privileged": false}}]})
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]})
}

test_privileged_container if {
	v := check.violation with input as review({"containers": [privileged("app")]})
	t.msgs(v) == {`container "app": securityContext.privileged is true; privileged containers are not allowed`}
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [privileged("a"), {"name": "b"}, privileged("c")]})
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [privileged("init")]})
	t.msgs(v) == {`initContainer "init": securityContext.privileged is true; privileged containers are not allowed`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [privileged("dbg")]})
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [privileged("app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [privileged("app")]})
	count(check.violation) == 1 with input as t.review(obj)
}

# Admission reviews can carry explicit nulls, read as absent: not privileged.
test_null_security_context_is_not_privileged if {
	spec := {"securityContext": null, "containers": [t.container("a", null), t.container("b", {"privileged": null}), privileged("c")]}
	t.msgs(check.violation) == {`container "c": securityContext.privileged is true; privileged containers are not allowed`} with input as review(spec)
}

# A Pod UPDATE that only removes a finalizer or relabels an old privileged pod is admitted (as in
# Pod Security Admission), so the pod can terminate; a spec change is still judged.
test_metadata_only_update_of_privileged_pod_admitted if {
	old := object.union(t.pod({"containers": [privileged("app")]}), {"metadata": {"labels": {"a": "1"}, "finalizers": ["example.com/f"]}})
	new := json.patch(old, [{"op": "remove", "path": "/metadata/finalizers"}, {"op": "replace", "path": "/metadata/labels/a", "value": "2"}])
	count(check.violation) == 0 with input as {"review": {"operation": "UPDATE", "object": new, "oldObject": old}, "parameters": {}}
	changed := json.patch(new, [{"op": "add", "path": "/spec/activeDeadlineSeconds", "value": 60}])
	count(check.violation) == 1 with input as {"review": {"operation": "UPDATE", "object": changed, "oldObject": old}, "parameters": {}}
	relabelled := json.patch(t.deployment({"containers": [privileged("app")]}), [{"op": "add", "path": "/metadata/labels", "value": {"a": "2"}}])
	count(check.violation) == 1 with input as {"review": {"operation": "UPDATE", "object": relabelled, "oldObject": t.deployment({"containers": [privileged("app")]})}, "parameters": {}}
}
