# D8VerifyImageSignatures: every container image (regular, init, ephemeral) that one of the policy's
# references covers must carry a cosign signature made with one of the reference's public keys.
# SecurityPolicy verifyImageSignatures.
#
# The Rego only selects images; the verification service (`admission-policy-engine verify`, a
# Gatekeeper external data provider) verifies them. An image is selected when its normalised form
# (Docker Hub rules, as the service normalises) matches one of `references`: anchored RE2 patterns
# compile renders from the policy's references. Images no reference covers are never sent. Each
# selected image goes out as the key `<policy>@<revision>|<image as written>`: the policy and the
# revision of its verifier configuration are part of the key, so Gatekeeper's answer cache never
# serves a verdict of another policy or of an older configuration.
#
# Fail closed: a key answered with an error, a key with no answer and a provider system error
# (transient registry failures come back that way and are never cached) all deny.
package d8.verify_image_signatures

import data.lib.pods
import data.lib.review

# Docker Hub normalisation of an image as written: `nginx:1` -> `docker.io/library/nginx:1`.
normalise(image) := sprintf("%s/%s%s", [registry, repository, suffix]) if {
	name_and_suffix := split_suffix(image)
	parts := split(name_and_suffix[0], "/")
	is_registry(parts)
	registry := registry_name(parts[0])
	repository := concat("/", array.slice(parts, 1, count(parts)))
	suffix := name_and_suffix[1]
}

normalise(image) := sprintf("docker.io/%s%s", [repository, suffix]) if {
	name_and_suffix := split_suffix(image)
	parts := split(name_and_suffix[0], "/")
	not is_registry(parts)
	repository := docker_hub_path(parts)
	suffix := name_and_suffix[1]
}

# [name, ":tag@digest" as written]: the name ends at the first "@" or at a ":" after the last "/".
split_suffix(image) := [name, suffix] if {
	at := indexof(image, "@")
	at >= 0
	head := substring(image, 0, at)
	tag_and_name := split_tag(head)
	name := tag_and_name[0]
	suffix := concat("", [tag_and_name[1], substring(image, at, -1)])
}

split_suffix(image) := split_tag(image) if indexof(image, "@") < 0

split_tag(s) := [substring(s, 0, colon), substring(s, colon, -1)] if {
	colon := last_index(s, ":")
	colon > last_index(s, "/")
}

split_tag(s) := [s, ""] if last_index(s, ":") <= last_index(s, "/")

# Index of the last occurrence of c in s, -1 when absent.
last_index(s, c) := i if {
	indexes := indexof_n(s, c)
	count(indexes) > 0
	i := max(indexes)
}

last_index(s, c) := -1 if count(indexof_n(s, c)) == 0

is_registry(parts) if {
	count(parts) > 1
	host_like(parts[0])
}

host_like(c) if contains(c, ".")

host_like(c) if contains(c, ":")

host_like("localhost")

registry_name("index.docker.io") := "docker.io"

registry_name(host) := host if host != "index.docker.io"

docker_hub_path(parts) := concat("/", ["library", parts[0]]) if count(parts) == 1

docker_hub_path(parts) := concat("/", parts) if count(parts) > 1

covered(image) if {
	some pattern in input.parameters.references
	regex.match(pattern, normalise(image))
}

key(image) := sprintf("%s@%s|%s", [input.parameters.policy, input.parameters.revision, image])

# Images to verify, by key.
images[key(image)] := image if {
	review.reviewed
	some ctr in pods.containers
	image := object.get(ctr.container, "image", "")
	is_string(image)
	image != ""
	covered(image)
}

response := external_data({"provider": input.parameters.provider, "keys": [k | some k, _ in images]}) if count(images) > 0

answered contains k if {
	some pair in response.responses
	k := pair[0]
	is_string(pair[1])
	pair[1] != ""
}

item_errors[k] := reason if {
	some pair in response.errors
	k := pair[0]
	reason := pair[1]
}

failure_msg(image) := sprintf("Image signature verification failed: %s", [image])

# Not verified: the service said why (unsigned, no signature verifies with the keys, no access, ...).
violation contains {"msg": failure_msg(image), "details": {"image": image, "reason": reason}} if {
	some k, image in images
	reason := item_errors[k]
}

# No answer for the key (the service could not decide in time, or the call failed): fail closed.
violation contains {"msg": failure_msg(image), "details": {"image": image, "reason": reason}} if {
	some k, image in images
	not answered[k]
	not item_errors[k]
	reason := no_answer_reason
}

no_answer_reason := sprintf("no verdict from the verification provider: %s", [response.system_error]) if response.system_error != ""

no_answer_reason := "no verdict from the verification provider" if not response.system_error

no_answer_reason := "no verdict from the verification provider" if response.system_error == ""

# A system error denies even when every key has an answer: it is never cached, so the next
# admission asks again.
violation contains {"msg": msg, "details": {"reason": response.system_error}} if {
	response.system_error != ""
	msg := sprintf("Image signature verification failed: system error calling external data provider %q: %s", [input.parameters.provider, response.system_error])
}
