# D8RevisionHistoryLimit: a Deployment, DaemonSet or StatefulSet keeps at most `limit` old
# revisions. OperationPolicy maxRevisionHistoryLimit.
#
# An absent spec.revisionHistoryLimit means the Kubernetes default, 10 for all three kinds (the
# API server fills it in before admission; gator and hand-written manifests may leave it out).
# Other kinds are not reviewed even if a constraint matches them.
package d8.revision_history_limit

import data.lib.review

reviewed_kinds := {"Deployment", "DaemonSet", "StatefulSet"}

kubernetes_default := 10

actual := object.get(input.review.object, ["spec", "revisionHistoryLimit"], null)

effective := actual if actual != null

effective := kubernetes_default if actual == null

describe := sprintf("%d", [actual]) if actual != null

describe := sprintf("not set (the Kubernetes default is %d)", [kubernetes_default]) if actual == null

violation contains {"msg": msg, "details": {"field": "spec.revisionHistoryLimit", "actual": effective, "allowed": sprintf("<= %d", [input.parameters.limit])}} if {
	review.reviewed
	input.review.object.kind in reviewed_kinds
	effective > input.parameters.limit
	msg := sprintf("%s: spec.revisionHistoryLimit is %s; at most %d is allowed", [review.object_label, describe, input.parameters.limit])
}
