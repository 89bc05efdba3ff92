# D8AllowedServiceTypes: a Service's spec.type is one of the allowed types. SecurityPolicy
# allowedServiceTypes.
#
# A Service without spec.type is a ClusterIP Service (the API server defaults it before validating
# webhooks run; an object reviewed without that defaulting, as in audit or gator, is read the
# same way). An empty list allows no Service at all. UPDATE is judged like CREATE: changing the
# type of an existing Service is how a NodePort or LoadBalancer would otherwise slip in.
package d8.allowed_service_types

import data.lib.review

# Absent parameter: nothing is allowed.
allowed_types := review.value(input, ["parameters", "allowedServiceTypes"], [])

allowed := concat(", ", [sprintf("%q", [t]) | some t in allowed_types])

service_type := review.value(input.review.object, ["spec", "type"], "ClusterIP")

violation contains {"msg": msg, "details": {"field": "spec.type", "actual": service_type, "allowed": allowed_types}} if {
	review.reviewed
	input.review.object.kind == "Service"
	not service_type in allowed_types
	msg := sprintf("%s: spec.type is %s; allowed Service types: [%s]", [review.object_label, describe, allowed])
}

describe := sprintf("%q", [service_type]) if review.value(input.review.object, ["spec", "type"], null) != null

describe := sprintf("not set (%q)", [service_type]) if review.value(input.review.object, ["spec", "type"], null) == null
