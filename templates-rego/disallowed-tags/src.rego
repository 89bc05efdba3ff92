# D8DisallowedTags: no container image (regular, init, ephemeral) uses a disallowed tag.
# OperationPolicy disallowedImageTags.
#
# How an image reference is read:
# - a digest (`app@sha256:...`, also `app:1.0@sha256:...`) pins the image: the runtime ignores any
#   tag, so the image is allowed whatever the list says;
# - otherwise the tag is what follows ":" in the last path component, so a registry port is not a
#   tag (`registry:5000/app` has no tag, `registry:5000/app:1.0` has tag "1.0");
# - an image with neither tag nor digest is pulled as "latest" and is judged as if tagged "latest":
#   it violates only when "latest" is disallowed. (The reference rejects every untagged image
#   whatever the list; here a list such as ["dev"] does not ban `nginx`.)
# Tags compare case-sensitively, as registries do. A container without an image is not reviewed.
package d8.disallowed_tags

import data.lib.pods
import data.lib.review

disallowed := concat(", ", [sprintf("%q", [t]) | some t in input.parameters.tags])

# The tag an image names explicitly; undefined for untagged and digest-pinned images.
explicit_tag(image) := tag if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	i := indexof(last, ":")
	i >= 0
	tag := substring(last, i + 1, -1)
}

untagged(image) if {
	image != ""
	not contains(image, "@")
	not explicit_tag(image)
}

violation contains {"msg": msg, "details": {"field": "image", "actual": image, "allowed": sprintf("any tag but [%s]", [disallowed])}} if {
	review.reviewed
	some ctr in pods.containers
	image := object.get(ctr.container, "image", "")
	tag := explicit_tag(image)
	tag in input.parameters.tags
	msg := sprintf("%s: image %q uses the disallowed tag %q; disallowed tags: [%s]", [pods.label(ctr), image, tag, disallowed])
}

violation contains {"msg": msg, "details": {"field": "image", "actual": image, "allowed": sprintf("any tag but [%s]", [disallowed])}} if {
	review.reviewed
	some ctr in pods.containers
	image := object.get(ctr.container, "image", "")
	untagged(image)
	"latest" in input.parameters.tags
	msg := sprintf("%s: image %q has no tag or digest, so it means \"latest\"; disallowed tags: [%s]", [pods.label(ctr), image, disallowed])
}
