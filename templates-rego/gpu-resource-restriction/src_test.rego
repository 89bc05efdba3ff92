package d8.gpu_resource_restriction_test

import data.d8.gpu_resource_restriction as check

params := {"namespaceLabel": {"key": "gpu.deckhouse.io/enabled", "value": "true"}, "gpuResourcePatterns": ["^nvidia\\.com/", "^amd\\.com/gpu$"]}

ns(name, labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}

inventory := {"cluster": {"v1": {"Namespace": {
	"gpu": ns("gpu", {"gpu.deckhouse.io/enabled": "true"}),
	"wrong": ns("wrong", {"gpu.deckhouse.io/enabled": "false"}),
	"plain": ns("plain", {"kubernetes.io/metadata.name": "plain"}),
	"bare": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bare"}},
}}}}

pod(namespace, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": namespace}, "spec": spec}

ctr(name, resources) := {"name": name, "image": "app", "resources": resources}

gpu := {"limits": {"nvidia.com/gpu": "1"}, "requests": {"nvidia.com/gpu": "1"}}

review(obj, p) := {"review": {"operation": "CREATE", "namespace": obj.metadata.namespace, "object": obj}, "parameters": p}

with_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

violations(inp) := v if {
	v := check.violation with input as inp with data.inventory as inventory
}

msgs(inp) := {v.msg | some v in violations(inp)}

test_gpu_in_labelled_namespace_allowed if {
	count(violations(review(pod("gpu", {"containers": [ctr("app", gpu)]}), params))) == 0
}

test_gpu_in_unlabelled_namespace_exact_message if {
	msgs(review(pod("plain", {"containers": [ctr("app", gpu)]}), params)) == {`container "app": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "gpu.deckhouse.io/enabled=true" and namespace "plain" is not`}
	count(violations(review(pod("bare", {"containers": [ctr("app", gpu)]}), params))) == 1
}

test_wrong_label_value_denied if {
	count(violations(review(pod("wrong", {"containers": [ctr("app", gpu)]}), params))) == 1
}

test_key_only_label_allows_any_value if {
	p := {"namespaceLabel": {"key": "gpu.deckhouse.io/enabled"}, "gpuResourcePatterns": ["^nvidia\\.com/"]}
	count(violations(review(pod("wrong", {"containers": [ctr("app", gpu)]}), p))) == 0
	msgs(review(pod("plain", {"containers": [ctr("app", gpu)]}), p)) == {`container "app": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "gpu.deckhouse.io/enabled" and namespace "plain" is not`}
}

test_no_gpu_resources_allowed_anywhere if {
	spec := {"containers": [ctr("app", {"limits": {"cpu": "1", "memory": "1Gi", "amd.com/gpu-lite": "1"}}), {"name": "b", "image": "b"}, ctr("c", null)]}
	count(violations(review(pod("plain", spec), params))) == 0
	count(violations(review(pod("missing", spec), params))) == 0
}

test_limits_only_requests_only_and_several_resources if {
	spec := {"containers": [ctr("a", {"limits": {"nvidia.com/gpu": "1"}}), ctr("b", {"requests": {"amd.com/gpu": "1", "nvidia.com/mig-1g.5gb": "2", "cpu": "1"}})]}
	v := violations(review(pod("plain", spec), params))
	{[x.details.actual] | some x in v} == {[["nvidia.com/gpu"]], [["amd.com/gpu", "nvidia.com/mig-1g.5gb"]]}
}

test_init_and_ephemeral_containers_read if {
	spec := {"containers": [ctr("app", null)], "initContainers": [ctr("init", gpu)], "ephemeralContainers": [ctr("dbg", gpu)]}
	msgs(review(pod("plain", spec), params)) == {
		`initContainer "init": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "gpu.deckhouse.io/enabled=true" and namespace "plain" is not`,
		`ephemeralContainer "dbg": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "gpu.deckhouse.io/enabled=true" and namespace "plain" is not`,
	}
}

test_namespace_missing_from_inventory_fails_closed if {
	msgs(review(pod("new", {"containers": [ctr("app", gpu)]}), params)) == {`container "app": requests GPU resources ["nvidia.com/gpu"]; namespace "new" is not in Gatekeeper's inventory yet (Namespaces are synced), so its labels cannot be checked; retry shortly`}
	v := check.violation with input as review(pod("gpu", {"containers": [ctr("app", gpu)]}), params) with data.inventory as {}
	count(v) == 1
}

test_namespace_from_the_request_when_the_object_has_none if {
	inp := json.patch(review(pod("gpu", {"containers": [ctr("app", gpu)]}), params), [{"op": "remove", "path": "/review/object/metadata/namespace"}])
	count(violations(inp)) == 0
	inp2 := json.patch(inp, [{"op": "replace", "path": "/review/namespace", "value": "plain"}])
	count(violations(inp2)) == 1
}

test_without_namespace_label_no_namespace_is_allowed if {
	msgs(review(pod("gpu", {"containers": [ctr("app", gpu)]}), {"gpuResourcePatterns": ["^nvidia\\.com/"]})) == {`container "app": requests GPU resources ["nvidia.com/gpu"]; the policy names no namespace label, so no namespace may use them`}
}

test_custom_patterns_unanchored if {
	p := object.union(params, {"gpuResourcePatterns": ["gpu"]})
	count(violations(review(pod("plain", {"containers": [ctr("app", {"limits": {"example.com/vgpu": "1"}})]}), p))) == 1
	count(violations(review(pod("plain", {"containers": [ctr("app", {"limits": {"example.com/fpga": "1"}})]}), p))) == 0
}

test_invalid_pattern_fails_closed_outside_allowed_namespaces if {
	p := object.union(params, {"gpuResourcePatterns": ["^nvidia\\.com/", "(bad"]})
	spec := {"containers": [ctr("app", {"limits": {"nvidia.com/gpu": "1", "cpu": "1"}})]}
	msgs(review(pod("plain", spec), p)) == {
		`container "app": requests GPU resources ["nvidia.com/gpu"]; they are allowed only in namespaces labelled "gpu.deckhouse.io/enabled=true" and namespace "plain" is not`,
		`container "app": resources ["cpu"] cannot be checked: GPU resource pattern(s) ["(bad"] are not valid regular expressions; fix the policy`,
	}
	count(violations(review(pod("gpu", spec), p))) == 0
}

test_controllers if {
	spec := {"containers": [ctr("app", gpu)]}
	every obj in [
		{"kind": "Deployment", "metadata": {"name": "d", "namespace": "plain"}, "spec": {"template": {"spec": spec}}},
		{"kind": "DaemonSet", "metadata": {"name": "d", "namespace": "plain"}, "spec": {"template": {"spec": spec}}},
		{"kind": "Job", "metadata": {"name": "j", "namespace": "plain"}, "spec": {"template": {"spec": spec}}},
		{"kind": "CronJob", "metadata": {"name": "c", "namespace": "plain"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}},
		{"kind": "PodTemplate", "metadata": {"name": "t", "namespace": "plain"}, "template": {"spec": spec}},
	] {
		count(violations(review(obj, params))) == 1
		count(violations(review(json.patch(obj, [{"op": "replace", "path": "/metadata/namespace", "value": "gpu"}]), params))) == 0
	}
}

test_delete_is_never_a_violation if {
	inp := with_operation(review(pod("plain", {"containers": [ctr("app", gpu)]}), params), "DELETE")
	count(violations(inp)) == 0
}
