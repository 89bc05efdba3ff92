# D8AllowedIngresses: an Ingress names no wildcard host ("*.example.com"). SecurityPolicy
# blockWildcardDomains.
#
# Both places an Ingress names hosts are read: spec.rules[].host (what the controller routes) and
# spec.tls[].hosts[] (what a certificate is requested for, e.g. by cert-manager's ingress-shim, so
# a wildcard there asks for a wildcard certificate). A host containing "*" anywhere is reported
# (the API server only admits "*" as a leading "*." label). The constraint carries
# blockWildcardDomains: true; an explicit false in the parameters turns the check off.
package d8.allowed_ingresses

import data.lib.review

enabled if review.value(input, ["parameters", "blockWildcardDomains"], true) != false

spec := review.value(input.review.object, "spec", {})

# Every host the Ingress names, with where: {"field": "spec.rules[0].host", "host": "..."}.
hosts contains {"field": sprintf("spec.rules[%d].host", [i]), "host": h} if {
	some i, rule in review.value(spec, "rules", [])
	h := review.value(rule, "host", "")
	is_string(h)
}

hosts contains {"field": sprintf("spec.tls[%d].hosts[%d]", [i, j]), "host": h} if {
	some i, tls in review.value(spec, "tls", [])
	some j, h in review.value(tls, "hosts", [])
	is_string(h)
}

violation contains {"msg": msg, "details": {"field": entry.field, "actual": entry.host}} if {
	review.reviewed
	enabled
	input.review.object.kind == "Ingress"
	some entry in hosts
	contains(entry.host, "*")
	msg := sprintf("%s: %s is %q; wildcard hosts are not allowed", [review.object_label, entry.field, entry.host])
}
