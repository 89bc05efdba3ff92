# D8AllowedCapabilities: what containers (regular, init, ephemeral) may add to and must drop from
# their Linux capabilities. SecurityPolicy allowedCapabilities / requiredDropCapabilities; PSS
# baseline "Capabilities" and restricted "Capabilities".
#
# - allowedCapabilities: every entry of securityContext.capabilities.add must be listed; "ALL" in
#   the list lets anything be added. Absent: nothing may be added (as PodSecurityPolicy did).
# - requiredDropCapabilities: every entry must appear in securityContext.capabilities.drop, unless
#   the container drops "ALL". Absent: no drop requirement.
# - exemptWindowsPods: pods with spec.os.name "windows" are not checked (PSS restricted does so).
# Names compare exactly, as Pod Security Admission compares them: "chown", "CAP_CHOWN" and "all"
# are not CHOWN and ALL.
#
# A SecurityPolicyException (lib.exception) widens both for the containers referencing it:
# securityContext.capabilities.allowedValues.add lists more capabilities that may be added (exact
# names), and allowedValues.drop replaces the required drops: the container must drop each listed
# one (names compared upper-cased, so the CRD default ["all"] means ALL) or ALL; [] waives them.
package d8.allowed_capabilities

import data.lib.exception
import data.lib.pods
import data.lib.review

allowed_caps := object.get(input.parameters, "allowedCapabilities", [])

required_drop := object.get(input.parameters, "requiredDropCapabilities", [])

add_unrestricted if "ALL" in allowed_caps

# securityContext.capabilities.add / .drop, [] when absent or null at any level: Pod Security
# Admission reads a null as unset, so `capabilities: null` still has to drop what is required.
added(c) := review.value(pods.security_context(c), ["capabilities", "add"], [])

dropped(c) := review.value(pods.security_context(c), ["capabilities", "drop"], [])

allowed_text := concat(", ", allowed_caps) if {
	count(allowed_caps) > 0
} else := "none"

# `[NET_RAW, SYS_ADMIN]`, or `not set`.
list_text(xs) := sprintf("[%s]", [concat(", ", xs)]) if {
	count(xs) > 0
} else := "not set"

# What a container missing some required drops must do.
drop_requirement(missing) := "ALL" if {
	"ALL" in required_drop
} else := sprintf("%s (or ALL)", [concat(", ", missing)])

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.capabilities.add", spe_add), "details": exception.details({"field": "securityContext.capabilities.add", "actual": added(ctr.container), "allowed": allowed_caps}, ctr.name, spe_add)} if {
	review.reviewed
	not pods.exempt_windows
	not add_unrestricted
	some ctr in pods.containers
	spe_add := exception.get(ctr.name, ["securityContext", "capabilities", "allowedValues", "add"])
	bad := sort({cap | some cap in added(ctr.container); not cap in allowed_caps; not cap in exception.list(ctr.name, ["securityContext", "capabilities", "allowedValues", "add"])})
	count(bad) > 0
	msg := sprintf("%s: securityContext.capabilities.add has %s; allowed capabilities to add: %s", [pods.label(ctr), concat(", ", bad), allowed_text])
}

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.capabilities.drop", spe_drop), "details": exception.details({"field": "securityContext.capabilities.drop", "actual": dropped(ctr.container), "required": required_drop}, ctr.name, spe_drop)} if {
	review.reviewed
	not pods.exempt_windows
	count(required_drop) > 0
	some ctr in pods.containers
	drop := dropped(ctr.container)
	not "ALL" in drop
	missing := [cap | some cap in required_drop; not cap in drop]
	count(missing) > 0
	spe_drop := exception.get(ctr.name, ["securityContext", "capabilities", "allowedValues", "drop"])
	not spe_drop_satisfied(spe_drop, drop)
	msg := sprintf("%s: securityContext.capabilities.drop is %s; it must drop %s", [pods.label(ctr), list_text(drop), drop_requirement(missing)])
}

# The exception's drop list (upper-cased) is all dropped. An exception without one (null) satisfies
# nothing; "ALL" in it needs ALL dropped, which the rule above already found missing.
spe_drop_satisfied(spe_drop, drop) if {
	is_array(spe_drop)
	every cap in spe_drop {
		upper(cap) in drop
	}
}
