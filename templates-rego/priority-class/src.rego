# D8PriorityClass: a pod's spec.priorityClassName, when set, is one of the allowed classes.
# OperationPolicy priorityClassNames.
#
# An unset priorityClassName is allowed, as in the reference's newer Rego. The Priority admission
# plugin runs before webhooks and fills in the cluster's globalDefault class on Pods, so a Pod is
# judged by that default when the cluster has one.
package d8.priority_class

import data.lib.pods
import data.lib.review

allowed := concat(", ", [sprintf("%q", [c]) | some c in input.parameters.priorityClassNames])

violation contains {"msg": msg, "details": {"field": "spec.priorityClassName", "actual": name, "allowed": input.parameters.priorityClassNames}} if {
	review.reviewed
	name := object.get(pods.pod_spec, "priorityClassName", "")
	name != ""
	not name in input.parameters.priorityClassNames
	msg := sprintf("%s: spec.priorityClassName is %q; allowed priority classes: [%s]", [review.object_label, name, allowed])
}
