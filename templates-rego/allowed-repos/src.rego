# D8AllowedRepos: every container image (regular, init, ephemeral) starts with an allowed prefix.
# OperationPolicy allowedRepos.
#
# The comparison is a plain string prefix, as in the reference: no registry/repository parsing, so
# "registry.example.com" also admits "registry.example.com.evil.io/x" (policy authors end a prefix
# with "/" to pin it to a registry). A container without an image (possible in controller pod
# templates) comes from no allowed repository and is reported.
package d8.allowed_repos

import data.lib.pods
import data.lib.review

allowed := concat(", ", [sprintf("%q", [r]) | some r in input.parameters.repos])

violation contains {"msg": msg, "details": {"field": "image", "actual": image, "allowed": input.parameters.repos}} if {
	review.reviewed
	some ctr in pods.containers
	image := object.get(ctr.container, "image", "")
	not from_allowed_repo(image)
	msg := sprintf("%s: image %q is not from an allowed repository; allowed repos: [%s]", [pods.label(ctr), image, allowed])
}

from_allowed_repo(image) if {
	some repo in input.parameters.repos
	startswith(image, repo)
}
