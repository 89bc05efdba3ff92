# D8AllowedSysctls: pod spec.securityContext.sysctls[].name must be allowed and not forbidden.
# SecurityPolicy allowedUnsafeSysctls / forbiddenSysctls; PSS baseline "Sysctls".
#
# Patterns: `*` matches every name, a trailing `*` matches by prefix (`kernel.msg*`), anything
# else matches exactly. forbiddenSysctls wins over allowedSysctls. allowedSysctls absent: every
# name not forbidden is allowed; present (even empty): only listed names are.
#
# Names are matched as written, as Pod Security Admission does (so `net/ipv4/tcp_syncookies` is not
# the allowed `net.ipv4.tcp_syncookies`). A forbidden pattern also catches the slash-separated
# spelling of a name (`kernel/msgmax` for `kernel.msgmax`), which the kubelet would apply as such.
#
# A SecurityPolicyException (pod label) allows a sysctl listed in securityContext.sysctls
# .allowedValues with the exact name and value, forbidden or not (lib.exception).
package d8.allowed_sysctls

import data.lib.exception
import data.lib.pods
import data.lib.review

forbidden_patterns := object.get(input.parameters, "forbiddenSysctls", [])

matches(pattern, _) if pattern == "*"

matches(pattern, name) if {
	pattern != "*"
	endswith(pattern, "*")
	startswith(name, trim_suffix(pattern, "*"))
}

matches(pattern, name) if pattern == name

# The dot-separated spelling of a name written with `/` separators (the first separator decides,
# and `.` inside such a name stands for `/`), as the kubelet converts it.
dotted(name) := name if not regex.match(`^[^./]*/`, name)

dotted(name) := replace(replace(replace(name, ".", "\u0000"), "/", "."), "\u0000", "/") if {
	regex.match(`^[^./]*/`, name)
}

forbidden(name) if {
	some pattern in forbidden_patterns
	some n in {name, dotted(name)}
	matches(pattern, n)
}

allowed(_) if not input.parameters.allowedSysctls

allowed(name) if {
	some pattern in input.parameters.allowedSysctls
	matches(pattern, name)
}

# The pod's sysctls, [] when absent or null.
sysctls := review.value(pods.pod_security_context, "sysctls", [])

list_text(xs) := concat(", ", xs) if {
	count(xs) > 0
} else := "none"

violation contains {"msg": exception.message(msg, null, "securityContext.sysctls", spe_text), "details": exception.details({"field": sprintf("spec.securityContext.sysctls[%d].name", [i]), "actual": s.name, "forbidden": forbidden_patterns}, null, spe_allowed)} if {
	review.reviewed
	some i, s in sysctls
	forbidden(s.name)
	not spe_allows(s)
	msg := sprintf("pod: spec.securityContext.sysctls has %s; forbidden sysctls: %s", [s.name, list_text(forbidden_patterns)])
}

violation contains {"msg": exception.message(msg, null, "securityContext.sysctls", spe_text), "details": exception.details({"field": sprintf("spec.securityContext.sysctls[%d].name", [i]), "actual": s.name, "allowed": input.parameters.allowedSysctls}, null, spe_allowed)} if {
	review.reviewed
	some i, s in sysctls
	not forbidden(s.name)
	not allowed(s.name)
	not spe_allows(s)
	msg := sprintf("pod: spec.securityContext.sysctls has %s; allowed sysctls: %s", [s.name, list_text(input.parameters.allowedSysctls)])
}

spe_allowed := exception.get(null, ["securityContext", "sysctls", "allowedValues"])

spe_allows(s) if {
	some e in exception.list(null, ["securityContext", "sysctls", "allowedValues"])
	e.name == s.name
	e.value == s.value
}

# `net.core.somaxconn=1024, ...`, null when the exception lists no sysctls.
spe_text := concat(", ", [sprintf("%v=%v", [object.get(e, "name", ""), object.get(e, "value", "")]) | some e in spe_allowed]) if is_array(spe_allowed)

else := null
