# Stands in for Gatekeeper's external_data builtin and the image verifier (gator has neither):
# answers like the verifier would for images named after the outcome.
#   ...signed...   verified (an item with the digest-pinned image)
#   ...down...     no item, a system error (registry unreachable)
#   ...silent...   no item and no error (fail closed)
#   anything else  an item error (unsigned)
gator_external_data(request) := {
	"responses": [[k, "docker.io/myrepo/app@sha256:0"] | some k in request.keys; contains(k, "signed"); not contains(k, "unsigned")],
	"errors": [[k, "no signature of the image verifies with the policy's keys"] | some k in request.keys; not gator_answered(k)],
	"status_code": 200,
	"system_error": concat("", [e | some k in request.keys; contains(k, "down"); e := "registry company.registry.com unreachable"]),
}

gator_answered(k) if {
	contains(k, "signed")
	not contains(k, "unsigned")
}

gator_answered(k) if contains(k, "down")

gator_answered(k) if contains(k, "silent")
