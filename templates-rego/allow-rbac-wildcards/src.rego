# D8AllowRbacWildcards: RBAC objects use no "*". SecurityPolicy allowRbacWildcards: false.
#
# Roles: every value of rules[].apiGroups, rules[].resources, rules[].verbs and
# rules[].nonResourceURLs containing "*" is reported ("*" itself, "*/scale", "/metrics/*": each is a
# wildcard to the RBAC authorizer). resourceNames are not: "*" has no special meaning there.
# Bindings: roleRef.name and subjects[].name containing "*" are reported.
# The catalog matches Role and RoleBinding (namespaced, like the policy's namespace match, as in
# the reference); the rules also read ClusterRole and ClusterRoleBinding the same way, should a
# constraint match them.
package d8.allow_rbac_wildcards

import data.lib.review

role_kinds := {"Role", "ClusterRole"}

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

rule_fields := ["apiGroups", "resources", "verbs", "nonResourceURLs"]

obj := input.review.object

# {"field": "rules[0].verbs[1]", "value": "*"} for every wildcard value of a role's rules.
wildcards contains {"field": sprintf("rules[%d].%s[%d]", [i, f, j]), "value": v} if {
	role_kinds[obj.kind]
	some i, rule in review.value(obj, "rules", [])
	some f in rule_fields
	some j, v in review.value(rule, f, [])
	wildcard(v)
}

wildcards contains {"field": "roleRef.name", "value": v} if {
	binding_kinds[obj.kind]
	v := review.value(obj, ["roleRef", "name"], "")
	wildcard(v)
}

wildcards contains {"field": sprintf("subjects[%d].name", [i]), "value": v} if {
	binding_kinds[obj.kind]
	some i, subject in review.value(obj, "subjects", [])
	v := review.value(subject, "name", "")
	wildcard(v)
}

wildcard(v) if {
	is_string(v)
	contains(v, "*")
}

violation contains {"msg": msg, "details": {"field": w.field, "actual": w.value}} if {
	review.reviewed
	some w in wildcards
	msg := sprintf("%s: %s is %q; wildcards (\"*\") are not allowed in RBAC %s", [review.object_label, w.field, w.value, what])
}

what := "rules" if role_kinds[obj.kind]

what := "bindings" if binding_kinds[obj.kind]
