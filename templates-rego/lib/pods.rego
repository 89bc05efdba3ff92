# Shared helpers for checks that review pods and pod controllers: where each kind keeps its pod
# spec and metadata, the containers, the securityContexts (null-safe) and the PSS pod exemptions.
# Served to Gatekeeper as a template lib (package below data.lib), Rego v1. Whether a request is
# judged and how the object is named are in lib.review.
package lib.pods

import data.lib.review

# Kinds whose pod template lives at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

kind := input.review.object.kind

# The pod spec of the reviewed object, wherever its kind keeps it. Undefined for other kinds.
pod_spec := input.review.object.spec if kind == "Pod"

pod_spec := input.review.object.spec.template.spec if template_kinds[kind]

pod_spec := input.review.object.spec.jobTemplate.spec.template.spec if kind == "CronJob"

pod_spec := input.review.object.template.spec if kind == "PodTemplate"

# The pod's own metadata (labels, annotations): for controllers, the pod template's. {} when absent
# or null.
pod_metadata := review.metadata if kind == "Pod"

pod_metadata := review.value(input.review.object.spec.template, "metadata", {}) if template_kinds[kind]

pod_metadata := review.value(input.review.object.spec.jobTemplate.spec.template, "metadata", {}) if kind == "CronJob"

pod_metadata := review.value(input.review.object.template, "metadata", {}) if kind == "PodTemplate"

pod_annotations := review.value(pod_metadata, "annotations", {})

# Every container of the pod with how messages name it. Each element:
# {"container": <container>, "kind": "container" | "initContainer" | "ephemeralContainer", "name": <name>}
containers contains {"container": c, "kind": "container", "name": c.name} if some c in pod_spec.containers

containers contains {"container": c, "kind": "initContainer", "name": c.name} if some c in pod_spec.initContainers

containers contains {"container": c, "kind": "ephemeralContainer", "name": c.name} if some c in pod_spec.ephemeralContainers

# Regular containers only (probes, pull policy and similar apply to them alone).
regular_containers contains {"container": c, "kind": "container", "name": c.name} if some c in pod_spec.containers

# `container "app"`, `initContainer "init"`: the prefix every container message starts with.
label(ctr) := sprintf("%s %q", [ctr.kind, ctr.name])

# The pod-level securityContext, {} when absent or null: an admission review may carry
# `securityContext: null`, which Pod Security Admission reads as absent, so checks can read fields
# of it without guarding each one. Undefined when the object has no pod spec.
pod_security_context := review.value(pod_spec, "securityContext", {})

# A container's securityContext, {} when absent or null, as at pod level.
security_context(c) := review.value(c, "securityContext", {})

# PSS exempts Windows pods from some Linux-only controls.
is_windows if pod_spec.os.name == "windows"

# Whether the pod runs in its own user namespace (spec.hostUsers: false).
in_user_namespace if pod_spec.hostUsers == false

# The check's exemptWindowsPods parameter is on and the pod is a Windows pod: PSS restricted does
# not apply its Linux-only controls (privilege escalation, capabilities, seccomp) to it.
exempt_windows if {
	input.parameters.exemptWindowsPods == true
	is_windows
}

# The check's exemptUserNamespacePods parameter is on and the pod runs in a user namespace: Pod
# Security Admission (>= 1.35) skips some controls for such pods; the checks using this say which.
exempt_user_namespace if {
	input.parameters.exemptUserNamespacePods == true
	in_user_namespace
}
