# D8AllowedSeccompProfiles: seccomp profiles must be allowed. SecurityPolicy seccompProfiles; PSS
# baseline "Seccomp" and restricted "Seccomp".
#
# allowedProfiles entries: RuntimeDefault (synonyms runtime/default, docker/default), Unconfined
# (unconfined), Localhost (localhost; then the file must match allowedLocalhostFiles, exact or
# glob, `*` = any), localhost/<file> (that file, exact or glob), `*` (anything, unset included),
# "" or undefined (no profile set is allowed). Absent: nothing is allowed.
#
# Every profile the pod declares must be allowed: the pod-level field, each container's field and,
# unless ignoreAnnotations, the legacy `seccomp.security.alpha.kubernetes.io/pod` and
# `container.seccomp.security.alpha.kubernetes.io/<name>` annotations (the pod template's for
# controllers). This is how Pod Security Admission judges them: a disallowed pod-level profile is
# reported even when every container overrides it. A container whose effective profile (container
# field, pod field, container annotation, pod annotation) is unset must have unset allowed.
# exemptWindowsPods skips pods with spec.os.name windows; ignoreAnnotations reads the fields only
# (Pod Security Admission v1.19+ does).
#
# A SecurityPolicyException allows a profile listed in securityContext.seccompProfile.allowedValues:
# RuntimeDefault and Unconfined (or their synonyms) as such, a Localhost profile only as
# localhost/<exact file>, no profile as "" or undefined. The pod-level field and annotation read the
# pod label, a container's its container label first (lib.exception).
package d8.allowed_seccomp_profiles

import data.lib.exception
import data.lib.pods
import data.lib.review

pod_annotation := "seccomp.security.alpha.kubernetes.io/pod"

container_annotation_prefix := "container.seccomp.security.alpha.kubernetes.io/"

allowed_profiles := object.get(input.parameters, "allowedProfiles", [])

allowed_files := object.get(input.parameters, "allowedLocalhostFiles", [])

use_annotations if not input.parameters.ignoreAnnotations

# Canonical profile kind of an allowedProfiles entry or annotation value.
kind_of(v) := "RuntimeDefault" if v in {"RuntimeDefault", "runtime/default", "docker/default"}

kind_of(v) := "Unconfined" if v in {"Unconfined", "unconfined"}

kind_of(v) := "Localhost" if v in {"Localhost", "localhost"}

kind_of(v) := v if not v in {"RuntimeDefault", "runtime/default", "docker/default", "Unconfined", "unconfined", "Localhost", "localhost"}

# {kind, file} of a seccompProfile field. A null type or localhostProfile is unset (""), as
# Kubernetes decodes it.
from_field(p) := {"kind": "Localhost", "file": review.value(p, "localhostProfile", "")} if p.type == "Localhost"

from_field(p) := {"kind": t, "file": ""} if {
	t := review.value(p, "type", "")
	t != "Localhost"
}

# {kind, file} of an annotation value.
from_annotation(v) := {"kind": "Localhost", "file": substring(v, count("localhost/"), -1)} if startswith(v, "localhost/")

from_annotation(v) := {"kind": kind_of(v), "file": ""} if not startswith(v, "localhost/")

file_matches(pattern, file) if pattern == file

file_matches(pattern, file) if glob.match(pattern, null, file)

allowed(profile) if {
	"*" in allowed_profiles
	profile.kind != "Localhost"
}

allowed(profile) if {
	"*" in allowed_profiles
	profile.kind == "Localhost"
	not "allowedLocalhostFiles" in object.keys(object.get(input, "parameters", {}))
}

allowed(profile) if {
	"*" in allowed_profiles
	profile.kind == "Localhost"
	some pattern in allowed_files
	file_matches(pattern, profile.file)
}

allowed(profile) if {
	profile.kind != "Localhost"
	some e in allowed_profiles
	kind_of(e) == profile.kind
}

allowed(profile) if {
	profile.kind == "Localhost"
	some e in allowed_profiles
	kind_of(e) == "Localhost"
	some pattern in allowed_files
	file_matches(pattern, profile.file)
}

allowed(profile) if {
	profile.kind == "Localhost"
	some e in allowed_profiles
	startswith(e, "localhost/")
	file_matches(substring(e, count("localhost/"), -1), profile.file)
}

unset_allowed if {
	some e in allowed_profiles
	e in {"*", "", "undefined"}
}

field_text(p) := sprintf("Localhost %q", [p.file]) if p.kind == "Localhost"

else := p.kind

# The seccompProfile fields, undefined when absent or null: Pod Security Admission reads
# `seccompProfile: null` as unset, so it neither declares a profile nor gives the container one.
pod_field := p if {
	p := pods.pod_security_context.seccompProfile
	p != null
}

container_field(c) := p if {
	p := pods.security_context(c).seccompProfile
	p != null
}

# A legacy annotation's value when annotations are read; undefined when absent, empty or null
# (each means unset).
annotation(key) := v if {
	use_annotations
	v := pods.pod_annotations[key]
	is_string(v)
	v != ""
}

# Every declared profile: {who, field, profile, text}.
declared contains {"who": "pod", "container": null, "field": "spec.securityContext.seccompProfile", "profile": p, "text": field_text(p)} if {
	p := from_field(pod_field)
}

declared contains {"who": pods.label(ctr), "container": ctr.name, "field": "securityContext.seccompProfile", "profile": p, "text": field_text(p)} if {
	some ctr in pods.containers
	p := from_field(container_field(ctr.container))
}

declared contains {"who": "pod", "container": null, "field": sprintf("annotation %s", [pod_annotation]), "profile": from_annotation(v), "text": sprintf("%q", [v])} if {
	v := annotation(pod_annotation)
}

declared contains {"who": pods.label(ctr), "container": ctr.name, "field": sprintf("annotation %s", [key]), "profile": from_annotation(v), "text": sprintf("%q", [v])} if {
	some ctr in pods.containers
	key := concat("", [container_annotation_prefix, ctr.name])
	v := annotation(key)
}

annotated(name) if annotation(concat("", [container_annotation_prefix, name]))

annotated(_) if annotation(pod_annotation)

# Containers with no profile anywhere.
unset contains ctr if {
	some ctr in pods.containers
	not container_field(ctr.container)
	not pod_field
	not annotated(ctr.name)
}

# How allowedProfiles reads in messages: "" and undefined show as `unset`, once.
allowed_names := [n | some e in allowed_profiles; n := display_name(e)]

display_name(e) := "unset" if e in {"", "undefined"}

else := e

allowed_text := concat(", ", [n | some i, n in allowed_names; not n in array.slice(allowed_names, 0, i)]) if {
	count(allowed_profiles) > 0
} else := "none"

files_text := concat(", ", allowed_files) if {
	count(allowed_files) > 0
} else := "none"

requirement(profile) := sprintf("allowed seccomp profiles: %s; allowed localhost files: %s", [allowed_text, files_text]) if {
	profile.kind == "Localhost"
} else := sprintf("allowed seccomp profiles: %s", [allowed_text])

violation contains {"msg": exception.message(msg, d.container, "securityContext.seccompProfile", spe_allowed(d.container)), "details": exception.details({"field": d.field, "actual": d.profile, "allowed": allowed_profiles}, d.container, spe_allowed(d.container))} if {
	review.reviewed
	not pods.exempt_windows
	some d in declared
	not allowed(d.profile)
	not spe_allows(d.container, d.profile)
	msg := sprintf("%s: %s is %s; %s", [d.who, d.field, d.text, requirement(d.profile)])
}

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.seccompProfile", spe_allowed(ctr.name)), "details": exception.details({"field": "securityContext.seccompProfile", "actual": null, "allowed": allowed_profiles}, ctr.name, spe_allowed(ctr.name))} if {
	review.reviewed
	not pods.exempt_windows
	not unset_allowed
	some ctr in unset
	not spe_allows_unset(ctr.name)
	msg := sprintf("%s: no seccomp profile is set (securityContext.seccompProfile or spec.securityContext.seccompProfile); allowed seccomp profiles: %s", [pods.label(ctr), allowed_text])
}

# ---- SecurityPolicyException ------------------------------------------------------------------

spe_allowed(ctr_name) := exception.get(ctr_name, ["securityContext", "seccompProfile", "allowedValues"])

spe_allows(ctr_name, profile) if {
	profile.kind != "Localhost"
	some e in exception.list(ctr_name, ["securityContext", "seccompProfile", "allowedValues"])
	kind_of(e) == profile.kind
}

spe_allows(ctr_name, profile) if {
	profile.kind == "Localhost"
	concat("", ["localhost/", profile.file]) in exception.list(ctr_name, ["securityContext", "seccompProfile", "allowedValues"])
}

spe_allows_unset(ctr_name) if {
	some e in exception.list(ctr_name, ["securityContext", "seccompProfile", "allowedValues"])
	e in {"", "undefined"}
}
