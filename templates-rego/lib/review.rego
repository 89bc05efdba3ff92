# Shared helpers about the admission review itself, for checks of any kind: whether a request is
# judged at all, the reviewed object's own metadata, how messages name it, and a null-safe read.
# Served to Gatekeeper as a template lib (package below data.lib), Rego v1. It imports nothing, so
# a check of a non-pod kind (RoleBinding, Ingress, PersistentVolumeClaim) ships this lib alone;
# pod helpers live in lib.pods, which builds on this one.
package lib.review

# DELETE reviews carry the old object; no check is about deletion, so they never violate. A review
# without an operation (gator, some test tools) is judged. Checks that read the object's own labels
# or annotations (required-labels, required-annotations) guard with this: a relabel is their business.
judged if input.review.operation != "DELETE"

judged if not input.review.operation

# What pod checks guard with: judged, except a Pod UPDATE that changes nothing they read. As in Pod
# Security Admission, re-judging such an update gains nothing (the pod already runs as it is) and
# costs much: an old non-compliant pod (admitted before a policy or a namespace label tightened)
# could not lose a finalizer, and would hang in Terminating, nor be relabelled by its controller.
reviewed if {
	judged
	not insignificant_pod_update
}

# Only Pods: a controller's UPDATE (its template above all) is judged as before, and so is any
# change to a Pod's spec (image updates, ephemeral containers through the subresource), which is
# why the whole object is compared rather than a list of fields. Without an oldObject (gator, some
# tools) the update is judged.
insignificant_pod_update if {
	input.review.operation == "UPDATE"
	input.review.object.kind == "Pod"
	is_object(input.review.oldObject)
	significant(input.review.object) == significant(input.review.oldObject)
}

# The annotation prefixes pod checks read: legacy seccomp (pod and per container) and AppArmor.
security_annotation_prefixes := [
	"seccomp.security.alpha.kubernetes.io/",
	"container.seccomp.security.alpha.kubernetes.io/",
	"container.apparmor.security.beta.kubernetes.io/",
]

# A Pod as the pod checks see it: everything but its metadata, plus the security annotations.
# Labels, other annotations, finalizers, ownerReferences, resourceVersion and the rest are dropped.
significant(pod) := object.union(object.remove(pod, ["metadata"]), {"metadata": {"annotations": {k: v |
	some k, v in value(value(pod, "metadata", {}), "annotations", {})
	some prefix in security_annotation_prefixes
	startswith(k, prefix)
}}})

# value(x, path, fallback): object.get(x, path, fallback), except that an explicit JSON null at path
# (or on the way to it), or an x that is no object, also gives fallback. Admission reviews can carry
# nulls (`securityContext: null`), which object.get returns as they are and which Kubernetes and
# Pod Security Admission read as absent; the is_object guard keeps object.get from failing on a
# null x, so nothing depends on how the evaluator treats built-in errors.
value(x, path, fallback) := v if {
	is_object(x)
	v := object.get(x, path, null)
	v != null
} else := fallback

# The reviewed object's own metadata, labels and annotations, {} when absent or null. For a
# controller these are the controller's, not its pod template's (that is lib.pods.pod_metadata).
metadata := value(input.review.object, "metadata", {})

labels := value(metadata, "labels", {})

annotations := value(metadata, "annotations", {})

# Name used in messages: the reviewed object's own name, else its generateName.
object_name := object.get(input.review.object.metadata, "name", object.get(input.review.object.metadata, "generateName", ""))

# `Pod "web"`, `Deployment "web"`: how messages about the object as a whole name it.
object_label := sprintf("%s %q", [input.review.object.kind, object_name])
