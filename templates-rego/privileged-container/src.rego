# D8PrivilegedContainer: no container may run privileged.
# PSS baseline "Privileged Containers"; SecurityPolicy allowPrivileged: false.
# A SecurityPolicyException with securityContext.privileged.allowedValue: true lets a container run
# privileged (lib.exception).
package d8.privileged_container

import data.lib.exception
import data.lib.pods
import data.lib.review

spe_path := ["securityContext", "privileged"]

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.privileged", allowed), "details": exception.details({"field": "securityContext.privileged", "actual": true}, ctr.name, allowed)} if {
	review.reviewed
	some ctr in pods.containers
	pods.security_context(ctr.container).privileged == true
	not exception.allows_value(ctr.name, spe_path, true)
	allowed := exception.get(ctr.name, array.concat(spe_path, ["allowedValue"]))
	msg := sprintf("%s: securityContext.privileged is true; privileged containers are not allowed", [pods.label(ctr)])
}
