# D8PrivilegedContainer: no container may run privileged.
# PSS baseline "Privileged Containers"; SecurityPolicy allowPrivileged: false.
package d8.privileged_container

import data.lib.pods
import data.lib.review

violation contains {"msg": msg, "details": {"field": "securityContext.privileged", "actual": true}} if {
	review.reviewed
	some ctr in pods.containers
	pods.security_context(ctr.container).privileged == true
	msg := sprintf("%s: securityContext.privileged is true; privileged containers are not allowed", [pods.label(ctr)])
}
