package d8.allowed_service_types_test

import data.d8.allowed_service_types as check

params := {"allowedServiceTypes": ["ClusterIP", "LoadBalancer"]}

service(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "ns"}, "spec": spec}

review(obj, p) := {"review": {"operation": "CREATE", "object": obj}, "parameters": p}

with_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

msgs(inp) := {v.msg | some v in check.violation with input as inp}

test_allowed_types if {
	every t in ["ClusterIP", "LoadBalancer"] {
		count(check.violation) == 0 with input as review(service({"type": t}), params)
	}
}

test_disallowed_type_exact_message if {
	msgs(review(service({"type": "NodePort", "ports": [{"port": 80}]}), params)) == {`Service "web": spec.type is "NodePort"; allowed Service types: ["ClusterIP", "LoadBalancer"]`}
}

test_details if {
	v := check.violation with input as review(service({"type": "ExternalName", "externalName": "example.com"}), params)
	[x.details | some x in v] == [{"field": "spec.type", "actual": "ExternalName", "allowed": ["ClusterIP", "LoadBalancer"]}]
}

test_type_absent_is_cluster_ip if {
	count(check.violation) == 0 with input as review(service({"ports": [{"port": 80}]}), params)
	count(check.violation) == 0 with input as review(service({"type": null}), params)
	count(check.violation) == 0 with input as review(json.remove(service({}), ["spec"]), params)
	msgs(review(service({}), {"allowedServiceTypes": ["NodePort"]})) == {`Service "web": spec.type is not set ("ClusterIP"); allowed Service types: ["NodePort"]`}
}

test_empty_list_allows_nothing if {
	msgs(review(service({"type": "ClusterIP"}), {"allowedServiceTypes": []})) == {`Service "web": spec.type is "ClusterIP"; allowed Service types: []`}
	count(check.violation) == 1 with input as review(service({"type": "ClusterIP"}), {})
}

test_type_is_case_sensitive if {
	count(check.violation) == 1 with input as review(service({"type": "clusterip"}), params)
}

test_several_services_each_judged_alone if {
	every t in ["NodePort", "ExternalName"] {
		count(check.violation) == 1 with input as review(service({"type": t}), params)
	}
}

test_update_to_disallowed_type if {
	inp := with_operation(review(service({"type": "NodePort"}), params), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := with_operation(review(service({"type": "NodePort"}), params), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_other_kinds_ignored if {
	obj := json.patch(service({"type": "NodePort"}), [{"op": "replace", "path": "/kind", "value": "Endpoints"}])
	count(check.violation) == 0 with input as review(obj, params)
}
