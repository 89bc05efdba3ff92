# D8AllowPrivilegeEscalation: every container (regular, init, ephemeral) must set
# securityContext.allowPrivilegeEscalation: false explicitly; unset counts as allowed escalation.
# With exemptWindowsPods, pods with spec.os.name: windows are not checked (as PSA does).
# PSS restricted "Privilege Escalation"; SecurityPolicy allowPrivilegeEscalation.
package d8.allow_privilege_escalation

import data.lib.pods
import data.lib.review

violation contains {"msg": msg, "details": {"field": "securityContext.allowPrivilegeEscalation", "actual": actual, "allowed": false}} if {
	review.reviewed
	not pods.exempt_windows
	some ctr in pods.containers
	actual := object.get(pods.security_context(ctr.container), "allowPrivilegeEscalation", null)
	actual != false
	msg := sprintf("%s: securityContext.allowPrivilegeEscalation is %s; it must be set to false", [pods.label(ctr), describe(actual)])
}

describe(null) := "not set"

describe(v) := sprintf("%v", [v]) if v != null
