# D8AllowedClusterRoles: a RoleBinding that references a ClusterRole names an allowed one
# ("*" allows any). SecurityPolicy allowedClusterRoles.
package d8.allowed_cluster_roles

import data.lib.review

# Absent parameter: no ClusterRole may be bound.
allowed := {r | some r in object.get(object.get(input, "parameters", {}), "allowedClusterRoles", [])}

role_ref := object.get(input.review.object, "roleRef", {})

role_allowed(_) if allowed["*"]

role_allowed(name) if allowed[name]

violation contains {"msg": msg, "details": {"field": "roleRef.name", "actual": name, "allowed": sort(allowed)}} if {
	review.reviewed
	input.review.object.kind == "RoleBinding"
	object.get(role_ref, "kind", "") == "ClusterRole"
	name := object.get(role_ref, "name", "")
	not role_allowed(name)
	msg := sprintf("%s: roleRef.name is ClusterRole %q; allowed ClusterRoles: %s", [review.object_label, name, describe_allowed])
}

describe_allowed := "none" if count(allowed) == 0

describe_allowed := concat(", ", [sprintf("%q", [r]) | some r in sort(allowed)]) if count(allowed) > 0
