package d8.deny_exec_heritage_test

import data.d8.deny_exec_heritage as check
import data.lib.testing as t

system_pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "deckhouse-0", "namespace": "d8-system", "labels": {"heritage": "deckhouse", "app": "deckhouse"}}}

user_pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "d8-system", "labels": {"app": "web"}}}

inventory := {"namespace": {"d8-system": {"v1": {"Pod": {"deckhouse-0": system_pod, "web": user_pod}}}}}

exec_review(pod, user) := {"review": {
	"operation": "CONNECT",
	"kind": {"group": "", "version": "v1", "kind": "PodExecOptions"},
	"resource": {"group": "", "version": "v1", "resource": "pods"},
	"subResource": "exec",
	"requestSubResource": "exec",
	"namespace": "d8-system",
	"name": pod,
	"userInfo": {"username": user, "groups": ["system:authenticated"]},
	"object": {"apiVersion": "v1", "kind": "PodExecOptions", "stdin": true, "tty": true, "container": "app", "command": ["sh"]},
}}

patched(pod, user, ops) := json.patch(exec_review(pod, user), ops)

test_denied_user if {
	v := check.violation with input as exec_review("deckhouse-0", "alice") with data.inventory as inventory
	t.msgs(v) == {`Exec/attach to Pod "deckhouse-0" in namespace "d8-system" with label 'heritage: deckhouse' is forbidden for user "alice"`}
}

test_allowed_users if {
	every u in ["system:sudouser", "system:serviceaccount:d8-system:deckhouse", "system:serviceaccount:kube-system:generic-garbage-collector"] {
		count(check.violation) == 0 with input as exec_review("deckhouse-0", u) with data.inventory as inventory
	}
}

test_other_service_accounts_denied if {
	every u in ["system:serviceaccount:default:app", "system:serviceaccount:d8system:x", "system:serviceaccount:kubeflow:x", "system:sudouser2", "kubernetes-admin"] {
		count(check.violation) == 1 with input as exec_review("deckhouse-0", u) with data.inventory as inventory
	}
}

test_pod_without_label_allowed if {
	count(check.violation) == 0 with input as exec_review("web", "alice") with data.inventory as inventory
}

test_attach_denied if {
	inp := patched("deckhouse-0", "alice", [
		{"op": "replace", "path": "/review/kind/kind", "value": "PodAttachOptions"},
		{"op": "replace", "path": "/review/subResource", "value": "attach"},
		{"op": "replace", "path": "/review/requestSubResource", "value": "attach"},
		{"op": "replace", "path": "/review/object", "value": {"apiVersion": "v1", "kind": "PodAttachOptions", "stdin": true}},
	])
	count(check.violation) == 1 with input as inp with data.inventory as inventory
}

test_pod_missing_from_inventory_allowed if {
	count(check.violation) == 0 with input as exec_review("deckhouse-1", "alice") with data.inventory as inventory
	count(check.violation) == 0 with input as exec_review("deckhouse-0", "alice") with data.inventory as {}
}

test_labels_on_object_honoured if {
	inp := patched("deckhouse-1", "alice", [{"op": "add", "path": "/review/object/metadata", "value": {"labels": {"heritage": "deckhouse"}}}])
	count(check.violation) == 1 with input as inp with data.inventory as {}
	inp2 := patched("deckhouse-1", "alice", [{"op": "add", "path": "/review/oldObject", "value": {"metadata": {"labels": {"heritage": "deckhouse"}}}}])
	count(check.violation) == 1 with input as inp2 with data.inventory as {}
}

test_other_namespace_looked_up_by_namespace if {
	inp := patched("deckhouse-0", "alice", [{"op": "replace", "path": "/review/namespace", "value": "default"}])
	count(check.violation) == 0 with input as inp with data.inventory as inventory
}

test_non_exec_subresource_allowed if {
	inp := patched("deckhouse-0", "alice", [
		{"op": "replace", "path": "/review/kind/kind", "value": "PodPortForwardOptions"},
		{"op": "replace", "path": "/review/subResource", "value": "portforward"},
		{"op": "replace", "path": "/review/requestSubResource", "value": "portforward"},
	])
	count(check.violation) == 0 with input as inp with data.inventory as inventory
}

test_pods_exec_form if {
	inp := patched("deckhouse-0", "alice", [
		{"op": "remove", "path": "/review/subResource"},
		{"op": "replace", "path": "/review/requestSubResource", "value": "pods/exec"},
	])
	count(check.violation) == 1 with input as inp with data.inventory as inventory
}

test_no_subresource_trusts_kind if {
	inp := patched("deckhouse-0", "alice", [{"op": "remove", "path": "/review/subResource"}, {"op": "remove", "path": "/review/requestSubResource"}])
	count(check.violation) == 1 with input as inp with data.inventory as inventory
	inp2 := json.patch(inp, [{"op": "replace", "path": "/review/kind/kind", "value": "Pod"}])
	count(check.violation) == 0 with input as inp2 with data.inventory as inventory
}

test_create_and_absent_operation_tolerated if {
	count(check.violation) == 1 with input as patched("deckhouse-0", "alice", [{"op": "replace", "path": "/review/operation", "value": "CREATE"}]) with data.inventory as inventory
	count(check.violation) == 1 with input as patched("deckhouse-0", "alice", [{"op": "remove", "path": "/review/operation"}]) with data.inventory as inventory
}

test_update_and_delete_never_violate if {
	every op in ["UPDATE", "DELETE"] {
		count(check.violation) == 0 with input as patched("deckhouse-0", "alice", [{"op": "replace", "path": "/review/operation", "value": op}]) with data.inventory as inventory
	}
}

test_missing_user_denied if {
	inp := patched("deckhouse-0", "alice", [{"op": "remove", "path": "/review/userInfo"}])
	v := check.violation with input as inp with data.inventory as inventory
	t.msgs(v) == {`Exec/attach to Pod "deckhouse-0" in namespace "d8-system" with label 'heritage: deckhouse' is forbidden for user ""`}
}

test_other_heritage_value_allowed if {
	inv := json.patch(inventory, [{"op": "replace", "path": "/namespace/d8-system/v1/Pod/deckhouse-0/metadata/labels/heritage", "value": "upmeter"}])
	count(check.violation) == 0 with input as exec_review("deckhouse-0", "alice") with data.inventory as inv
}
