# D8AllowedUsers: user and group IDs of the pod and its containers (regular, init, ephemeral).
#   runAsUser / runAsGroup (per container; a container's value overrides the pod's):
#     MustRunAs: set and within a range; MayRunAs (runAsGroup): within a range when set;
#     MustRunAsNonRoot (runAsUser): exactly Pod Security Admission restricted runAsNonRoot +
#     runAsUser: the pod sets runAsNonRoot: true or every container does, nothing sets it false,
#     and neither the pod nor a container sets runAsUser: 0.
#   fsGroup / supplementalGroups (pod level): MustRunAs: set and within ranges; MayRunAs: within
#     ranges when set. RunAsAny or an absent block: anything.
#   exemptUserNamespacePods: pods with spec.hostUsers: false skip the runAsUser rule (PSA >= 1.35).
# PSS restricted "Running as Non-root (user)"; SecurityPolicy runAsUser, runAsGroup,
# supplementalGroups, fsGroup.
#
# A SecurityPolicyException (lib.exception; pod-level fields read the pod label, container fields
# the container label first) waives: runAsNonRoot not true (false or unset) with
# securityContext.runAsNonRoot.allowedValue: false; a runAsUser value (root, or out of range) listed
# in securityContext.runAsUser.allowedValues. It has nothing for groups.
package d8.allowed_users

import data.lib.exception
import data.lib.pods
import data.lib.review

params := object.get(input, "parameters", {})

rule(block) := object.get(object.get(params, block, {}), "rule", "RunAsAny")

ranges(block) := object.get(object.get(params, block, {}), "ranges", [])

# The pod-level securityContext (lib.pods reads null as absent). An object without a pod spec has
# none at all; it counts as empty, so the pod-level fsGroup and supplementalGroups rules judge it
# as unset, as they always have.
pod_ctx := c if {
	c := pods.pod_security_context
} else := {}

user_rule_applies if not pods.exempt_user_namespace

# ---- runAsUser: MustRunAsNonRoot ------------------------------------------------------------

non_root := rule("runAsUser") == "MustRunAsNonRoot"

non_root_allowed := "the pod or every container must set securityContext.runAsNonRoot: true"

violation contains {"msg": exception.message(msg, null, "securityContext.runAsNonRoot", non_root_spe(null)), "details": exception.details({"field": "spec.securityContext.runAsNonRoot", "actual": false, "allowed": true}, null, non_root_spe(null))} if {
	review.reviewed
	non_root
	user_rule_applies
	pod_ctx.runAsNonRoot == false
	not exception.allows_value(null, non_root_path, false)
	msg := sprintf("pod: spec.securityContext.runAsNonRoot is false; %s", [non_root_allowed])
}

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.runAsNonRoot", non_root_spe(ctr.name)), "details": exception.details({"field": "securityContext.runAsNonRoot", "actual": false, "allowed": true}, ctr.name, non_root_spe(ctr.name))} if {
	review.reviewed
	non_root
	user_rule_applies
	some ctr in pods.containers
	pods.security_context(ctr.container).runAsNonRoot == false
	not exception.allows_value(ctr.name, non_root_path, false)
	msg := sprintf("%s: securityContext.runAsNonRoot is false; %s", [pods.label(ctr), non_root_allowed])
}

# Neither the container nor the pod sets it (a pod-level false is reported once, above).
violation contains {"msg": exception.message(msg, ctr.name, "securityContext.runAsNonRoot", non_root_spe(ctr.name)), "details": exception.details({"field": "securityContext.runAsNonRoot", "actual": null, "allowed": true}, ctr.name, non_root_spe(ctr.name))} if {
	review.reviewed
	non_root
	user_rule_applies
	object.get(pod_ctx, "runAsNonRoot", null) == null
	some ctr in pods.containers
	object.get(pods.security_context(ctr.container), "runAsNonRoot", null) == null
	not exception.allows_value(ctr.name, non_root_path, false)
	msg := sprintf("%s: securityContext.runAsNonRoot is not set in the container or the pod; %s", [pods.label(ctr), non_root_allowed])
}

violation contains {"msg": exception.message(msg, null, "securityContext.runAsUser", user_spe(null)), "details": exception.details({"field": "spec.securityContext.runAsUser", "actual": 0, "allowed": "non-zero"}, null, user_spe(null))} if {
	review.reviewed
	non_root
	user_rule_applies
	pod_ctx.runAsUser == 0
	not exception.allows_one_of(null, user_path, 0)
	msg := "pod: spec.securityContext.runAsUser is 0; running as root (UID 0) is not allowed"
}

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.runAsUser", user_spe(ctr.name)), "details": exception.details({"field": "securityContext.runAsUser", "actual": 0, "allowed": "non-zero"}, ctr.name, user_spe(ctr.name))} if {
	review.reviewed
	non_root
	user_rule_applies
	some ctr in pods.containers
	pods.security_context(ctr.container).runAsUser == 0
	not exception.allows_one_of(ctr.name, user_path, 0)
	msg := sprintf("%s: securityContext.runAsUser is 0; running as root (UID 0) is not allowed", [pods.label(ctr)])
}

# ---- runAsUser / runAsGroup: MustRunAs, MayRunAs (per container) -----------------------------

container_blocks := {"runAsUser", "runAsGroup"}

block_applies("runAsUser") if user_rule_applies

block_applies("runAsGroup")

# The container's own value, else the pod's: {"value", "field"}; undefined when neither is set.
effective(ctr, field) := {"value": v, "field": sprintf("securityContext.%s", [field])} if {
	v := object.get(pods.security_context(ctr.container), field, null)
	v != null
}

effective(ctr, field) := {"value": v, "field": sprintf("spec.securityContext.%s (from the pod)", [field])} if {
	object.get(pods.security_context(ctr.container), field, null) == null
	v := object.get(pod_ctx, field, null)
	v != null
}

violation contains {"msg": msg, "details": {"field": field, "actual": null, "allowed": ranges(field)}} if {
	review.reviewed
	some field in container_blocks
	rule(field) == "MustRunAs"
	block_applies(field)
	some ctr in pods.containers
	not effective(ctr, field)
	msg := sprintf("%s: %s is not set in the container or the pod securityContext; it must be set within the allowed ranges: %s", [pods.label(ctr), field, describe_ranges(ranges(field))])
}

violation contains {"msg": range_message(msg, ctr.name, field), "details": range_details({"field": eff.field, "actual": eff.value, "allowed": ranges(field)}, ctr.name, field)} if {
	review.reviewed
	some field in container_blocks
	rule(field) in {"MustRunAs", "MayRunAs"}
	block_applies(field)
	some ctr in pods.containers
	eff := effective(ctr, field)
	not in_some_range(eff.value, ranges(field))
	not range_excepted(ctr.name, field, eff.value)
	msg := sprintf("%s: %s is %v; allowed ranges: %s", [pods.label(ctr), eff.field, eff.value, describe_ranges(ranges(field))])
}

# ---- fsGroup, supplementalGroups (pod level) --------------------------------------------------

violation contains {"msg": msg, "details": {"field": "spec.securityContext.fsGroup", "actual": null, "allowed": ranges("fsGroup")}} if {
	review.reviewed
	rule("fsGroup") == "MustRunAs"
	object.get(pod_ctx, "fsGroup", null) == null
	msg := sprintf("pod: spec.securityContext.fsGroup is not set; it must be set within the allowed ranges: %s", [describe_ranges(ranges("fsGroup"))])
}

violation contains {"msg": msg, "details": {"field": "spec.securityContext.fsGroup", "actual": v, "allowed": ranges("fsGroup")}} if {
	review.reviewed
	rule("fsGroup") in {"MustRunAs", "MayRunAs"}
	v := object.get(pod_ctx, "fsGroup", null)
	v != null
	not in_some_range(v, ranges("fsGroup"))
	msg := sprintf("pod: spec.securityContext.fsGroup is %v; allowed ranges: %s", [v, describe_ranges(ranges("fsGroup"))])
}

supplemental_groups := review.value(pod_ctx, "supplementalGroups", [])

violation contains {"msg": msg, "details": {"field": "spec.securityContext.supplementalGroups", "actual": [], "allowed": ranges("supplementalGroups")}} if {
	review.reviewed
	rule("supplementalGroups") == "MustRunAs"
	count(supplemental_groups) == 0
	msg := sprintf("pod: spec.securityContext.supplementalGroups is not set; it must list groups within the allowed ranges: %s", [describe_ranges(ranges("supplementalGroups"))])
}

violation contains {"msg": msg, "details": {"field": "spec.securityContext.supplementalGroups", "actual": g, "allowed": ranges("supplementalGroups")}} if {
	review.reviewed
	rule("supplementalGroups") in {"MustRunAs", "MayRunAs"}
	some g in supplemental_groups
	not in_some_range(g, ranges("supplementalGroups"))
	msg := sprintf("pod: spec.securityContext.supplementalGroups contains %v; allowed ranges: %s", [g, describe_ranges(ranges("supplementalGroups"))])
}

# ---- ranges (inclusive; either bound may be absent) -------------------------------------------

in_some_range(v, rs) if {
	some r in rs
	in_range(v, r)
}

in_range(v, r) if {
	not below_min(v, r)
	not above_max(v, r)
}

below_min(v, r) if {
	m := object.get(r, "min", null)
	m != null
	v < m
}

above_max(v, r) if {
	m := object.get(r, "max", null)
	m != null
	v > m
}

describe_ranges(rs) := "none" if count(rs) == 0

describe_ranges(rs) := concat(", ", [describe_range(r) | some r in rs]) if count(rs) > 0

describe_range(r) := sprintf("%v-%v", [r.min, r.max]) if {
	object.get(r, "min", null) != null
	object.get(r, "max", null) != null
}

describe_range(r) := sprintf("%v or more", [r.min]) if {
	object.get(r, "min", null) != null
	object.get(r, "max", null) == null
}

describe_range(r) := sprintf("up to %v", [r.max]) if {
	object.get(r, "min", null) == null
	object.get(r, "max", null) != null
}

describe_range(r) := "any" if {
	object.get(r, "min", null) == null
	object.get(r, "max", null) == null
}

# ---- SecurityPolicyException ------------------------------------------------------------------

non_root_path := ["securityContext", "runAsNonRoot"]

user_path := ["securityContext", "runAsUser"]

non_root_spe(ctr_name) := exception.get(ctr_name, ["securityContext", "runAsNonRoot", "allowedValue"])

user_spe(ctr_name) := exception.get(ctr_name, ["securityContext", "runAsUser", "allowedValues"])

# Only runAsUser has an exception field; runAsGroup findings stay as they are.
range_excepted(ctr_name, "runAsUser", value) if exception.allows_one_of(ctr_name, user_path, value)

range_message(msg, ctr_name, "runAsUser") := exception.message(msg, ctr_name, "securityContext.runAsUser", user_spe(ctr_name))

range_message(msg, _, "runAsGroup") := msg

range_details(d, ctr_name, "runAsUser") := exception.details(d, ctr_name, user_spe(ctr_name))

range_details(d, _, "runAsGroup") := d
