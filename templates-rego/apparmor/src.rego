# D8AppArmor: AppArmor profiles must be allowed. SecurityPolicy allowedAppArmor; PSS baseline
# "AppArmor".
#
# Profiles are compared in the annotation form: the securityContext.appArmorProfile field is
# normalised (RuntimeDefault -> runtime/default, Localhost + localhostProfile -> localhost/<profile>,
# Unconfined -> unconfined). allowedProfiles entries are exact names or globs (`localhost/*`; `*`
# crosses `/` and `.`).
#
# Every profile the pod declares must be allowed, wherever it is declared: the pod-level field, each
# container's field, each `container.apparmor.security.beta.kubernetes.io/<name>` annotation of the
# pod (the pod template's for controllers), including one naming no container. This is how Pod
# Security Admission judges them: a disallowed pod-level profile is reported even when every
# container overrides it. A container whose effective profile (container field, then its annotation,
# then the pod field) is unset runs the runtime default, so it is judged as runtime/default. An empty
# annotation value counts as unset.
package d8.apparmor

import data.lib.pods

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

allowed_profiles := object.get(input.parameters, "allowedProfiles", [])

allowed_text := concat(", ", allowed_profiles) if {
	count(allowed_profiles) > 0
} else := "none"

allowed(profile) if profile in allowed_profiles

allowed(profile) if {
	some pattern in allowed_profiles
	glob.match(pattern, null, profile)
}

# The annotation form of an appArmorProfile field.
field_profile(p) := "runtime/default" if p.type == "RuntimeDefault"

field_profile(p) := concat("", ["localhost/", object.get(p, "localhostProfile", "")]) if p.type == "Localhost"

field_profile(p) := "unconfined" if p.type == "Unconfined"

field_profile(p) := sprintf("%v", [object.get(p, "type", "")]) if not p.type in {"RuntimeDefault", "Localhost", "Unconfined"}

annotation(name) := v if {
	v := pods.pod_annotations[concat("", [annotation_prefix, name])]
	v != ""
}

# Every declared profile: {who, field, profile}.
declared contains {"who": "pod", "field": "spec.securityContext.appArmorProfile", "profile": field_profile(p)} if {
	p := pods.pod_security_context.appArmorProfile
}

declared contains {"who": pods.label(ctr), "field": "securityContext.appArmorProfile", "profile": field_profile(p)} if {
	some ctr in pods.containers
	p := pods.security_context(ctr.container).appArmorProfile
}

declared contains {"who": who, "field": sprintf("annotation %s", [key]), "profile": v} if {
	some key, v in pods.pod_annotations
	startswith(key, annotation_prefix)
	v != ""
	name := substring(key, count(annotation_prefix), -1)
	who := annotation_owner(name)
}

annotation_owner(name) := pods.label(ctr) if {
	some ctr in pods.containers
	ctr.name == name
} else := "pod"

# Containers with no profile anywhere: they run runtime/default.
unset contains ctr if {
	some ctr in pods.containers
	not pods.security_context(ctr.container).appArmorProfile
	not annotation(ctr.name)
	not pods.pod_security_context.appArmorProfile
}

violation contains {"msg": msg, "details": {"field": d.field, "actual": d.profile, "allowed": allowed_profiles}} if {
	pods.reviewed
	some d in declared
	not allowed(d.profile)
	msg := sprintf("%s: %s is %q; allowed AppArmor profiles: %s", [d.who, d.field, d.profile, allowed_text])
}

violation contains {"msg": msg, "details": {"field": "securityContext.appArmorProfile", "actual": "runtime/default", "allowed": allowed_profiles}} if {
	pods.reviewed
	some ctr in unset
	not allowed("runtime/default")
	msg := sprintf("%s: no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: %s", [pods.label(ctr), allowed_text])
}
