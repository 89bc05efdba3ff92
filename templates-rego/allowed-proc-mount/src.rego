# D8AllowedProcMount: a container's securityContext.procMount, when set, must be one the
# allowedProcMount parameter permits: Default (absent parameter) allows only Default, Unmasked
# allows Default and Unmasked. With exemptUserNamespacePods, pods with spec.hostUsers: false are
# not checked (PSA baseline since 1.35; restricted keeps checking them).
# PSS baseline "/proc Mount Type" and restricted "procMount_restricted"; SecurityPolicy allowedProcMount.
# A SecurityPolicyException allows a procMount type listed in securityContext.procMount.allowedValues
# (lib.exception).
package d8.allowed_proc_mount

import data.lib.exception
import data.lib.pods
import data.lib.review

params := object.get(input, "parameters", {})

allowed_types := {"Default", "Unmasked"} if params.allowedProcMount == "Unmasked"

allowed_types := {"Default"} if not params.allowedProcMount == "Unmasked"

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.procMount", allowed), "details": exception.details({"field": "securityContext.procMount", "actual": proc_mount, "allowed": sort([t | some t in allowed_types])}, ctr.name, allowed)} if {
	review.reviewed
	not pods.exempt_user_namespace
	some ctr in pods.containers
	proc_mount := object.get(pods.security_context(ctr.container), "procMount", null)
	proc_mount != null
	not allowed_types[proc_mount]
	not exception.allows_one_of(ctr.name, ["securityContext", "procMount"], proc_mount)
	allowed := exception.get(ctr.name, ["securityContext", "procMount", "allowedValues"])
	msg := sprintf("%s: securityContext.procMount is %q; allowed procMount types: %s", [pods.label(ctr), proc_mount, concat(", ", sort([t | some t in allowed_types]))])
}
