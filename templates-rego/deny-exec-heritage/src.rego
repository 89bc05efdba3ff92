# D8DenyExecHeritage (built in): exec into or attach to a Pod labelled `heritage: deckhouse` is
# denied unless the user is system:sudouser or a service account of a d8-* or kube-* namespace.
#
# The reviewed object of a CONNECT is a PodExecOptions / PodAttachOptions without the pod's
# labels, so the pod is read from the Gatekeeper inventory
# (data.inventory.namespace[<ns>]["v1"]["Pod"][<name>], which needs Pods synced); labels on
# object / oldObject are honoured too when present. A pod missing from the inventory is allowed:
# the sync cache is eventually consistent and may be empty (Pod sync not configured yet, cache
# warming after a restart, or the pod does not exist and the API server answers NotFound anyway),
# and failing closed there would block every exec into system pods, the break-glass path included.
package d8.deny_exec_heritage

import data.lib.review

connect_operations := {"CONNECT", "CREATE"}

exec_subresources := {"exec", "attach"}

exec_kinds := {"PodExecOptions", "PodAttachOptions"}

# CONNECT, also CREATE or no operation as some API paths and test tools send.
connect if connect_operations[input.review.operation]

connect if not input.review.operation

subresources := {s |
	some f in ["requestSubResource", "subResource"]
	s := object.get(input.review, f, "")
	s != ""
}

# The subresource is exec or attach (also in a `pods/exec` form).
exec_like if {
	some s in subresources
	some e in exec_subresources
	is_subresource(s, e)
}

is_subresource(s, e) if s == e

is_subresource(s, e) if endswith(s, concat("", ["/", e]))

# No subresource at all: trust the reviewed kind.
exec_like if {
	count(subresources) == 0
	exec_kinds[reviewed_kind]
}

reviewed_kind := input.review.kind.kind

reviewed_kind := input.review.object.kind if not input.review.kind.kind

namespace := object.get(input.review, "namespace", "")

pod_name := object.get(input.review, "name", "")

user := object.get(object.get(input.review, "userInfo", {}), "username", "")

allowed_user if user == "system:sudouser"

allowed_user if startswith(user, "system:serviceaccount:d8-")

allowed_user if startswith(user, "system:serviceaccount:kube-")

heritage_deckhouse if data.inventory.namespace[namespace].v1.Pod[pod_name].metadata.labels.heritage == "deckhouse"

heritage_deckhouse if {
	some f in ["object", "oldObject"]
	input.review[f].metadata.labels.heritage == "deckhouse"
}

violation contains {"msg": msg, "details": {"field": "metadata.labels.heritage", "actual": "deckhouse", "user": user}} if {
	review.reviewed
	connect
	exec_like
	not allowed_user
	heritage_deckhouse
	msg := sprintf("Exec/attach to Pod %q in namespace %q with label 'heritage: deckhouse' is forbidden for user %q", [pod_name, namespace, user])
}
