# D8AutomountServiceAccountTokenPod: pods must set spec.automountServiceAccountToken: false
# explicitly (unset means the token is mounted unless the ServiceAccount says otherwise), and no
# container may mount a volume at the service account token path by hand.
# SecurityPolicy automountServiceAccountToken: false.
#
# A Pod's UPDATE is not reviewed: the field is immutable, so denying it would only block label and
# annotation changes of pods created before the policy. Controllers are reviewed on UPDATE.
package d8.automount_service_account_token

import data.lib.pods
import data.lib.review

token_path := "/var/run/secrets/kubernetes.io/serviceaccount"

reviewed if {
	review.reviewed
	not pod_update
}

pod_update if {
	input.review.operation == "UPDATE"
	input.review.object.kind == "Pod"
}

violation contains {"msg": msg, "details": {"field": "spec.automountServiceAccountToken", "actual": actual, "allowed": false}} if {
	reviewed
	pods.pod_spec
	actual := object.get(pods.pod_spec, "automountServiceAccountToken", null)
	actual != false
	msg := sprintf("%s: spec.automountServiceAccountToken is %s; it must be set to false (service account token automount is not allowed)", [review.object_label, describe(actual)])
}

violation contains {"msg": msg, "details": {"field": field, "actual": m.mountPath, "allowed": false}} if {
	reviewed
	some ctr in pods.containers
	some i, m in object.get(ctr.container, "volumeMounts", [])
	is_string(m.mountPath)
	trim_right(m.mountPath, "/") == token_path
	field := sprintf("volumeMounts[%d].mountPath", [i])
	msg := sprintf("%s: %s is %q (volume %q); mounting the service account token is not allowed", [pods.label(ctr), field, m.mountPath, object.get(m, "name", "")])
}

describe(null) := "not set"

describe(v) := sprintf("%v", [v]) if v != null
