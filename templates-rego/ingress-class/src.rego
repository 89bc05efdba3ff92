# D8IngressClass: an Ingress's spec.ingressClassName is one of the allowed classes.
# OperationPolicy ingressClassNames.
#
# An absent spec.ingressClassName is a violation: the DefaultIngressClass admission plugin runs
# before validating webhooks and has already filled it in when the cluster has a default class, so
# an Ingress that still has none is served by no class or only by the deprecated
# `kubernetes.io/ingress.class` annotation, which this check does not accept.
package d8.ingress_class

import data.lib.review

# Absent parameter: nothing is allowed.
allowed_classes := object.get(object.get(input, "parameters", {}), "ingressClassNames", [])

allowed := concat(", ", [sprintf("%q", [c]) | some c in allowed_classes])

violation contains {"msg": msg, "details": {"field": "spec.ingressClassName", "actual": cls, "allowed": allowed_classes}} if {
	review.reviewed
	input.review.object.kind == "Ingress"
	cls := object.get(input.review.object, ["spec", "ingressClassName"], null)
	not cls in allowed_classes
	msg := sprintf("%s: spec.ingressClassName is %s; allowed ingress classes: [%s]", [review.object_label, describe(cls), allowed])
}

describe(v) := "not set" if v == null

describe(v) := sprintf("%q", [v]) if v != null
