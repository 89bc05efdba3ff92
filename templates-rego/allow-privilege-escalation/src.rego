# D8AllowPrivilegeEscalation: every container (regular, init, ephemeral) must set
# securityContext.allowPrivilegeEscalation: false explicitly; unset counts as allowed escalation.
# With exemptWindowsPods, pods with spec.os.name: windows are not checked (as PSA does).
# PSS restricted "Privilege Escalation"; SecurityPolicy allowPrivilegeEscalation.
#
# A SecurityPolicyException with securityContext.allowPrivilegeEscalation.allowedValue: true lets a
# container leave it true or unset (unset escalates, so it is the value true; lib.exception).
package d8.allow_privilege_escalation

import data.lib.exception
import data.lib.pods
import data.lib.review

spe_path := ["securityContext", "allowPrivilegeEscalation"]

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.allowPrivilegeEscalation", allowed), "details": exception.details({"field": "securityContext.allowPrivilegeEscalation", "actual": actual, "allowed": false}, ctr.name, allowed)} if {
	review.reviewed
	not pods.exempt_windows
	some ctr in pods.containers
	actual := object.get(pods.security_context(ctr.container), "allowPrivilegeEscalation", null)
	actual != false
	not exception.allows_value(ctr.name, spe_path, true)
	allowed := exception.get(ctr.name, array.concat(spe_path, ["allowedValue"]))
	msg := sprintf("%s: securityContext.allowPrivilegeEscalation is %s; it must be set to false", [pods.label(ctr), describe(actual)])
}

describe(null) := "not set"

describe(v) := sprintf("%v", [v]) if v != null
