# D8SeLinux: seLinuxOptions (pod level and every container, init and ephemeral included) must
# match an allowed entry. SecurityPolicy seLinux; PSS baseline "SELinux".
#
# An options object matches an entry when, for each of user, role, type and level: the entry's
# value is "*" (anything), or the entry sets the field and the actual value equals it ("" in the
# entry: the actual must be unset or empty), or the entry leaves the field out and the actual is
# unset or empty. Options with every field unset or empty, or no options, are always allowed.
# A null anywhere (`seLinuxOptions: null`, `type: null`) is unset, as Kubernetes decodes it.
#
# A SecurityPolicyException allows options equal, field by field (unset is ""), to an entry of
# securityContext.seLinuxOptions.allowedValues; pod-level options read the pod label, a container's
# its container label first (lib.exception).
package d8.selinux

import data.lib.exception
import data.lib.pods
import data.lib.review

fields := ["user", "role", "type", "level"]

allowed_options := object.get(input.parameters, "allowedSELinuxOptions", [])

field_matches(entry, _, f) if entry[f] == "*"

field_matches(entry, actual, f) if {
	entry[f] != "*"
	actual_field(actual, f) == entry[f]
}

field_matches(entry, actual, f) if {
	not f in object.keys(entry)
	actual_field(actual, f) == ""
}

# A field of the options under review, "" when absent or null.
actual_field(actual, f) := review.value(actual, f, "")

matches(entry, actual) if {
	every f in fields {
		field_matches(entry, actual, f)
	}
}

empty(actual) if {
	every f in fields {
		actual_field(actual, f) == ""
	}
}

allowed(actual) if empty(actual)

allowed(actual) if {
	some entry in allowed_options
	matches(entry, actual)
}

# The options with their null (unset) fields left out, for messages.
without_nulls(o) := {f: v | some f, v in o; v != null}

# `{type: spc_t, level: s0}`: the fields set, in a fixed order ("" shows as "").
describe(x) := sprintf("{%s}", [concat(", ", [sprintf("%s: %s", [f, text(x[f])]) | some f in fields; f in object.keys(x)])])

text(v) := `""` if v == ""

else := sprintf("%v", [v])

allowed_text := concat(", ", [describe(e) | some e in allowed_options]) if {
	count(allowed_options) > 0
} else := "none"

# Where options are set: {who, field, options}. Null options are none.
options contains {"who": "pod", "container": null, "field": "spec.securityContext.seLinuxOptions", "options": o} if {
	o := pods.pod_security_context.seLinuxOptions
	o != null
}

options contains {"who": pods.label(ctr), "container": ctr.name, "field": "securityContext.seLinuxOptions", "options": o} if {
	some ctr in pods.containers
	o := pods.security_context(ctr.container).seLinuxOptions
	o != null
}

violation contains {"msg": exception.message(msg, s.container, "securityContext.seLinuxOptions", spe_text(s.container)), "details": exception.details({"field": s.field, "actual": s.options, "allowed": allowed_options}, s.container, spe_allowed(s.container))} if {
	review.reviewed
	some s in options
	not allowed(s.options)
	not spe_allows(s)
	msg := sprintf("%s: %s is %s; allowed SELinux options: %s", [s.who, s.field, describe(without_nulls(s.options)), allowed_text])
}

spe_allowed(ctr_name) := exception.get(ctr_name, ["securityContext", "seLinuxOptions", "allowedValues"])

spe_allows(s) if {
	some e in exception.list(s.container, ["securityContext", "seLinuxOptions", "allowedValues"])
	every f in fields {
		actual_field(s.options, f) == review.value(e, f, "")
	}
}

spe_text(ctr_name) := concat(", ", [describe(e) | some e in spe]) if {
	spe := spe_allowed(ctr_name)
	is_array(spe)
} else := null
