# D8ImagePullPolicy: an imagePullPolicy set on a regular container equals the required policy.
# OperationPolicy imagePullPolicy.
#
# An unset imagePullPolicy is not reviewed. On Pods the API server has already defaulted it before
# admission (Always for ":latest" or untagged images, IfNotPresent otherwise), so a Pod is judged
# by that default; controller templates are defaulted the same way. Init and ephemeral
# containers are not reviewed, as in the reference.
package d8.image_pull_policy

import data.lib.pods
import data.lib.review

violation contains {"msg": msg, "details": {"field": "imagePullPolicy", "actual": policy, "allowed": input.parameters.policy}} if {
	review.reviewed
	some ctr in pods.regular_containers
	policy := object.get(ctr.container, "imagePullPolicy", null)
	policy != null
	policy != input.parameters.policy
	msg := sprintf("%s: imagePullPolicy is %q; only %q is allowed", [pods.label(ctr), policy, input.parameters.policy])
}
