package d8.ingress_class_test

import data.d8.ingress_class as check

review(spec) := {
	"review": {"operation": "CREATE", "object": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": spec}},
	"parameters": {"ingressClassNames": ["nginx", "internal"]},
}

msgs(v) := {x.msg | some x in v}

test_allowed if {
	count(check.violation) == 0 with input as review({"ingressClassName": "internal"})
}

test_disallowed_class if {
	v := check.violation with input as review({"ingressClassName": "traefik"})
	msgs(v) == {`Ingress "web": spec.ingressClassName is "traefik"; allowed ingress classes: ["nginx", "internal"]`}
}

test_class_absent if {
	v := check.violation with input as review({"rules": [{"host": "a.example.com"}]})
	msgs(v) == {`Ingress "web": spec.ingressClassName is not set; allowed ingress classes: ["nginx", "internal"]`}
}

test_spec_absent if {
	obj := {"kind": "Ingress", "metadata": {"name": "web"}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": {"ingressClassNames": ["nginx"]}}
}

test_legacy_annotation_alone_is_not_enough if {
	obj := {"kind": "Ingress", "metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "nginx"}}, "spec": {}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": {"ingressClassNames": ["nginx"]}}
}

test_empty_list_allows_nothing if {
	inp := json.patch(review({"ingressClassName": "nginx"}), [{"op": "replace", "path": "/parameters/ingressClassNames", "value": []}])
	v := check.violation with input as inp
	msgs(v) == {`Ingress "web": spec.ingressClassName is "nginx"; allowed ingress classes: []`}
}

test_case_sensitive if {
	count(check.violation) == 1 with input as review({"ingressClassName": "NGINX"})
}

test_update_checked if {
	inp := json.patch(review({"ingressClassName": "traefik"}), [{"op": "replace", "path": "/review/operation", "value": "UPDATE"}])
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"ingressClassName": "traefik"}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_other_kind_ignored if {
	inp := json.patch(review({"ingressClassName": "traefik"}), [{"op": "replace", "path": "/review/object/kind", "value": "IngressClass"}])
	count(check.violation) == 0 with input as inp
}

test_parameter_absent_allows_nothing if {
	obj := {"kind": "Ingress", "metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx"}}
	v := check.violation with input as {"review": {"operation": "CREATE", "object": obj}}
	msgs(v) == {`Ingress "web": spec.ingressClassName is "nginx"; allowed ingress classes: []`}
}
