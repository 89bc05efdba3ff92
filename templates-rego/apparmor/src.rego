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
#
# A SecurityPolicyException allows a profile listed exactly (annotation form) in
# securityContext.appArmorProfile.allowedValues; the pod-level field reads the pod label, a
# container's field or annotation its container label first (lib.exception).
package d8.apparmor

import data.lib.exception
import data.lib.pods
import data.lib.review

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

# The annotation form of an appArmorProfile field; a null localhostProfile is unset (""). A field
# without a type (absent or null alike) gives no profile: the API server rejects it before
# admission.
field_profile(p) := "runtime/default" if p.type == "RuntimeDefault"

field_profile(p) := concat("", ["localhost/", review.value(p, "localhostProfile", "")]) if p.type == "Localhost"

field_profile(p) := "unconfined" if p.type == "Unconfined"

field_profile(p) := sprintf("%v", [p.type]) if {
	p.type != null
	not p.type in {"RuntimeDefault", "Localhost", "Unconfined"}
}

# The appArmorProfile fields, undefined when absent or null: Pod Security Admission reads
# `appArmorProfile: null` as unset, so the container runs the runtime default.
pod_field := p if {
	p := pods.pod_security_context.appArmorProfile
	p != null
}

container_field(c) := p if {
	p := pods.security_context(c).appArmorProfile
	p != null
}

# An annotation value that sets a profile: empty and null values are unset.
set_value(v) if {
	is_string(v)
	v != ""
}

annotation(name) := v if {
	v := pods.pod_annotations[concat("", [annotation_prefix, name])]
	set_value(v)
}

# Every declared profile: {who, field, profile}.
declared contains {"who": "pod", "container": null, "field": "spec.securityContext.appArmorProfile", "profile": field_profile(p)} if {
	p := pod_field
}

declared contains {"who": pods.label(ctr), "container": ctr.name, "field": "securityContext.appArmorProfile", "profile": field_profile(p)} if {
	some ctr in pods.containers
	p := container_field(ctr.container)
}

declared contains {"who": who, "container": name, "field": sprintf("annotation %s", [key]), "profile": v} if {
	some key, v in pods.pod_annotations
	startswith(key, annotation_prefix)
	set_value(v)
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
	not container_field(ctr.container)
	not annotation(ctr.name)
	not pod_field
}

violation contains {"msg": exception.message(msg, d.container, "securityContext.appArmorProfile", spe_allowed(d.container)), "details": exception.details({"field": d.field, "actual": d.profile, "allowed": allowed_profiles}, d.container, spe_allowed(d.container))} if {
	review.reviewed
	some d in declared
	not allowed(d.profile)
	not exception.allows_one_of(d.container, spe_path, d.profile)
	msg := sprintf("%s: %s is %q; allowed AppArmor profiles: %s", [d.who, d.field, d.profile, allowed_text])
}

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.appArmorProfile", spe_allowed(ctr.name)), "details": exception.details({"field": "securityContext.appArmorProfile", "actual": "runtime/default", "allowed": allowed_profiles}, ctr.name, spe_allowed(ctr.name))} if {
	review.reviewed
	some ctr in unset
	not allowed("runtime/default")
	not exception.allows_one_of(ctr.name, spe_path, "runtime/default")
	msg := sprintf("%s: no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: %s", [pods.label(ctr), allowed_text])
}

spe_path := ["securityContext", "appArmorProfile"]

spe_allowed(ctr_name) := exception.get(ctr_name, ["securityContext", "appArmorProfile", "allowedValues"])
