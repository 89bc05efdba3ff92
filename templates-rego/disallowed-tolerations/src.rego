# D8DisallowedTolerations: no pod toleration matches a disallowed pattern. A pattern matches a
# toleration when every field the pattern sets (key, operator, value, effect) equals the
# toleration's; fields the pattern leaves out are wildcards. OperationPolicy disallowedTolerations.
#
# Comparison uses the toleration as the API server stores it: an absent operator is "Equal", an
# absent key, value or effect is "" (so a pattern `{key: "", operator: Exists}` finds the
# tolerate-everything toleration). The `node.kubernetes.io/not-ready` and
# `node.kubernetes.io/unreachable` NoExecute Exists tolerations are never reported, whatever their
# tolerationSeconds: the DefaultTolerationSeconds admission plugin and the DaemonSet controller add
# them to pods on their own.
package d8.disallowed_tolerations

import data.lib.pods
import data.lib.review

default_toleration_keys := {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}

pattern_fields := ["key", "operator", "value", "effect"]

# The toleration with API defaults applied, restricted to the fields patterns compare.
normalized(t) := {
	"key": object.get(t, "key", ""),
	"operator": object.get(t, "operator", "Equal"),
	"value": object.get(t, "value", ""),
	"effect": object.get(t, "effect", ""),
}

added_by_kubernetes(t) if {
	default_toleration_keys[t.key]
	t.operator == "Exists"
	t.effect == "NoExecute"
}

matches(pattern, t) if {
	every f in pattern_fields {
		field_matches(pattern, t, f)
	}
}

field_matches(pattern, _, f) if object.get(pattern, f, null) == null

field_matches(pattern, t, f) if pattern[f] == t[f]

violation contains {"msg": msg, "details": {"field": sprintf("spec.tolerations[%d]", [i]), "actual": raw, "allowed": "no match with a disallowed pattern"}} if {
	review.reviewed
	some i, raw in pods.pod_spec.tolerations
	t := normalized(raw)
	not added_by_kubernetes(t)
	matching := [describe(p) | some p in input.parameters.tolerations; matches(p, t)]
	count(matching) > 0
	msg := sprintf("%s: spec.tolerations[%d] (%s) matches disallowed toleration %s", [review.object_label, i, describe(raw), concat(" and ", matching)])
}

# `key "gpu", operator "Exists", effect "NoSchedule"`: the fields set, in a fixed order.
describe(x) := concat(", ", [sprintf("%s %q", [f, x[f]]) | some f in pattern_fields; x[f] != null])
