# Shared helpers about the admission review itself, for checks of any kind: whether a request is
# judged at all, the reviewed object's own metadata, how messages name it, and a null-safe read.
# Served to Gatekeeper as a template lib (package below data.lib), Rego v1. It imports nothing, so
# a check of a non-pod kind (RoleBinding, Ingress, PersistentVolumeClaim) ships this lib alone;
# pod helpers live in lib.pods, which builds on this one.
package lib.review

# DELETE reviews carry the old object; no check is about deletion, so they never violate. A review
# without an operation (gator, some test tools) is judged.
reviewed if input.review.operation != "DELETE"

reviewed if not input.review.operation

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
