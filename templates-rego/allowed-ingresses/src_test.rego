package d8.allowed_ingresses_test

import data.d8.allowed_ingresses as check

params := {"blockWildcardDomains": true}

rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}

ingress(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "ns"}, "spec": spec}

review(obj, p) := {"review": {"operation": "CREATE", "object": obj}, "parameters": p}

with_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

msgs(inp) := {v.msg | some v in check.violation with input as inp}

test_plain_hosts_allowed if {
	obj := ingress({"rules": [rule("example.com"), rule("www.example.com")], "tls": [{"hosts": ["example.com", "www.example.com"], "secretName": "tls"}]})
	count(check.violation) == 0 with input as review(obj, params)
}

test_wildcard_rule_host_exact_message if {
	msgs(review(ingress({"rules": [rule("example.com"), rule("*.example.com")]}), params)) == {`Ingress "web": spec.rules[1].host is "*.example.com"; wildcard hosts are not allowed`}
}

test_wildcard_tls_host if {
	obj := ingress({"rules": [rule("app.example.com")], "tls": [{"hosts": ["app.example.com"]}, {"hosts": ["a.example.com", "*.example.com"], "secretName": "wild"}]})
	v := check.violation with input as review(obj, params)
	{x.msg | some x in v} == {`Ingress "web": spec.tls[1].hosts[1] is "*.example.com"; wildcard hosts are not allowed`}
	{x.details | some x in v} == {{"field": "spec.tls[1].hosts[1]", "actual": "*.example.com"}}
}

test_every_wildcard_reported if {
	obj := ingress({"rules": [rule("*.a.example.com"), rule("*.b.example.com")], "tls": [{"hosts": ["*.a.example.com"]}]})
	count(check.violation) == 3 with input as review(obj, params)
}

test_hosts_absent if {
	# A default backend only, rules without host (every host), tls without hosts: nothing named.
	count(check.violation) == 0 with input as review(ingress({"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}), params)
	count(check.violation) == 0 with input as review(ingress({"rules": [{"http": {"paths": []}}], "tls": [{"secretName": "tls"}]}), params)
	count(check.violation) == 0 with input as review(ingress({"rules": null, "tls": [{"hosts": null}]}), params)
	count(check.violation) == 0 with input as review(json.remove(ingress({}), ["spec"]), params)
}

test_star_anywhere_in_a_host if {
	count(check.violation) == 1 with input as review(ingress({"rules": [rule("*")]}), params)
	count(check.violation) == 1 with input as review(ingress({"rules": [rule("app.*.example.com")]}), params)
}

test_parameter_false_turns_the_check_off if {
	count(check.violation) == 0 with input as review(ingress({"rules": [rule("*.example.com")]}), {"blockWildcardDomains": false})
	count(check.violation) == 1 with input as review(ingress({"rules": [rule("*.example.com")]}), {})
}

test_update_is_reviewed if {
	inp := with_operation(review(ingress({"rules": [rule("*.example.com")]}), params), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := with_operation(review(ingress({"rules": [rule("*.example.com")]}), params), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_other_kinds_ignored if {
	obj := json.patch(ingress({"rules": [rule("*.example.com")]}), [{"op": "replace", "path": "/kind", "value": "HTTPRoute"}])
	count(check.violation) == 0 with input as review(obj, params)
}
