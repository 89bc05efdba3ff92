# Shared helpers for checks that review pods and pod controllers.
# Served to Gatekeeper as a template lib (package below data.lib), Rego v1.
package lib.pods

# Kinds whose pod template lives at spec.template.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# DELETE reviews carry the old object; no check is about deletion, so they never violate.
reviewed if input.review.operation != "DELETE"

reviewed if not input.review.operation

kind := input.review.object.kind

# The pod spec of the reviewed object, wherever its kind keeps it. Undefined for other kinds.
pod_spec := input.review.object.spec if kind == "Pod"

pod_spec := input.review.object.spec.template.spec if template_kinds[kind]

pod_spec := input.review.object.spec.jobTemplate.spec.template.spec if kind == "CronJob"

pod_spec := input.review.object.template.spec if kind == "PodTemplate"

# The pod's own metadata (labels, annotations): for controllers, the pod template's.
pod_metadata := object.get(input.review.object, "metadata", {}) if kind == "Pod"

pod_metadata := object.get(input.review.object.spec.template, "metadata", {}) if template_kinds[kind]

pod_metadata := object.get(input.review.object.spec.jobTemplate.spec.template, "metadata", {}) if kind == "CronJob"

pod_metadata := object.get(input.review.object.template, "metadata", {}) if kind == "PodTemplate"

pod_annotations := object.get(pod_metadata, "annotations", {})

# Name used in messages: the reviewed object's own name.
object_name := object.get(input.review.object.metadata, "name", object.get(input.review.object.metadata, "generateName", ""))

# Every container of the pod with how messages name it. Each element:
# {"container": <container>, "kind": "container" | "initContainer" | "ephemeralContainer", "name": <name>}
containers contains {"container": c, "kind": "container", "name": c.name} if some c in pod_spec.containers

containers contains {"container": c, "kind": "initContainer", "name": c.name} if some c in pod_spec.initContainers

containers contains {"container": c, "kind": "ephemeralContainer", "name": c.name} if some c in pod_spec.ephemeralContainers

# Regular containers only (probes, pull policy and similar apply to them alone).
regular_containers contains {"container": c, "kind": "container", "name": c.name} if some c in pod_spec.containers

# `container "app"`, `initContainer "init"`: the prefix every container message starts with.
label(ctr) := sprintf("%s %q", [ctr.kind, ctr.name])

# Pod-level securityContext, empty when absent.
pod_security_context := object.get(pod_spec, "securityContext", {})

# A container's securityContext, empty when absent.
security_context(c) := object.get(c, "securityContext", {})

# PSS exempts Windows pods from some Linux-only controls.
is_windows if pod_spec.os.name == "windows"

# Whether the pod runs in its own user namespace (spec.hostUsers: false).
in_user_namespace if pod_spec.hostUsers == false
