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
package d8.allowed_sysctls

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

violation contains {"msg": msg, "details": {"field": sprintf("spec.securityContext.sysctls[%d].name", [i]), "actual": s.name, "forbidden": forbidden_patterns}} if {
	review.reviewed
	some i, s in sysctls
	forbidden(s.name)
	msg := sprintf("pod: spec.securityContext.sysctls has %s; forbidden sysctls: %s", [s.name, list_text(forbidden_patterns)])
}

violation contains {"msg": msg, "details": {"field": sprintf("spec.securityContext.sysctls[%d].name", [i]), "actual": s.name, "allowed": input.parameters.allowedSysctls}} if {
	review.reviewed
	some i, s in sysctls
	not forbidden(s.name)
	not allowed(s.name)
	msg := sprintf("pod: spec.securityContext.sysctls has %s; allowed sysctls: %s", [s.name, list_text(input.parameters.allowedSysctls)])
}
