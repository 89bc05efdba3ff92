package d8.ingress_class_test

import data.d8.ingress_class as check
import data.lib.testing as t

review(spec) := t.review_with(
	{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": spec},
	{"ingressClassNames": ["nginx", "internal"]},
)

test_allowed if {
	count(check.violation) == 0 with input as review({"ingressClassName": "internal"})
}

test_disallowed_class if {
	v := check.violation with input as review({"ingressClassName": "traefik"})
	t.msgs(v) == {`Ingress "web": spec.ingressClassName is "traefik"; allowed ingress classes: ["nginx", "internal"]`}
}

test_class_absent if {
	v := check.violation with input as review({"rules": [{"host": "a.example.com"}]})
	t.msgs(v) == {`Ingress "web": spec.ingressClassName is not set; allowed ingress classes: ["nginx", "internal"]`}
}

test_spec_absent if {
	obj := {"kind": "Ingress", "metadata": {"name": "web"}}
	count(check.violation) == 1 with input as t.review_with(obj, {"ingressClassNames": ["nginx"]})
}

test_legacy_annotation_alone_is_not_enough if {
	obj := {"kind": "Ingress", "metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "nginx"}}, "spec": {}}
	count(check.violation) == 1 with input as t.review_with(obj, {"ingressClassNames": ["nginx"]})
}

test_empty_list_allows_nothing if {
	inp := json.patch(review({"ingressClassName": "nginx"}), [{"op": "replace", "path": "/parameters/ingressClassNames", "value": []}])
	v := check.violation with input as inp
	t.msgs(v) == {`Ingress "web": spec.ingressClassName is "nginx"; allowed ingress classes: []`}
}

test_case_sensitive if {
	count(check.violation) == 1 with input as review({"ingressClassName": "NGINX"})
}

test_update_checked if {
	inp := t.as_operation(review({"ingressClassName": "traefik"}), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"ingressClassName": "traefik"}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_other_kind_ignored if {
	inp := json.patch(review({"ingressClassName": "traefik"}), [{"op": "replace", "path": "/review/object/kind", "value": "IngressClass"}])
	count(check.violation) == 0 with input as inp
}

test_parameter_absent_allows_nothing if {
	obj := {"kind": "Ingress", "metadata": {"name": "web"}, "spec": {"ingressClassName": "nginx"}}
	v := check.violation with input as t.review(obj)
	t.msgs(v) == {`Ingress "web": spec.ingressClassName is "nginx"; allowed ingress classes: []`}
}
