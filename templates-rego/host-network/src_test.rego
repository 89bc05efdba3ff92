package d8.host_network_test

import data.d8.host_network as check
import data.lib.testing as t

ctr(name, ports) := {"name": name, "ports": ports}

test_host_network_denied if {
	v := check.violation with input as t.pod_review({"hostNetwork": true, "containers": [{"name": "a"}]}, {"allowHostNetwork": false})
	t.msgs(v) == {`Pod "p": spec.hostNetwork is true; host network is not allowed`}
}

test_host_network_denied_when_parameter_absent if {
	count(check.violation) == 1 with input as t.pod_review({"hostNetwork": true, "containers": [{"name": "a"}]}, {})
}

test_host_network_allowed if {
	count(check.violation) == 0 with input as t.pod_review({"hostNetwork": true, "containers": [{"name": "a"}]}, {"allowHostNetwork": true})
}

test_host_network_false_or_absent if {
	count(check.violation) == 0 with input as t.pod_review({"hostNetwork": false, "containers": [{"name": "a"}]}, {"allowHostNetwork": false})
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "a"}]}, {"allowHostNetwork": false})
}

test_host_ports_not_checked_without_ranges if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [ctr("a", [{"containerPort": 80, "hostPort": 80}])]}, {"allowHostNetwork": false})
}

test_host_port_in_range_allowed if {
	p := {"allowHostNetwork": false, "ranges": [{"min": 80, "max": 80}, {"min": 8000, "max": 8100}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [ctr("a", [{"containerPort": 80, "hostPort": 80}, {"containerPort": 9, "hostPort": 8100}, {"containerPort": 9999}])]}, p)
}

test_host_port_out_of_range_denied if {
	p := {"ranges": [{"min": 80, "max": 80}, {"min": 8000, "max": 8100}]}
	v := check.violation with input as t.pod_review({"containers": [ctr("app", [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81, "hostPort": 8101}])]}, p)
	t.msgs(v) == {`container "app": ports[1].hostPort is 8101; allowed host port ranges: 80-80, 8000-8100`}
}

test_empty_ranges_deny_every_host_port if {
	v := check.violation with input as t.pod_review({"containers": [ctr("app", [{"containerPort": 80, "hostPort": 80}, {"containerPort": 81, "hostPort": 0}])]}, {"ranges": []})
	t.msgs(v) == {`container "app": ports[0].hostPort is 80; allowed host port ranges: none`}
}

test_multi_container_reports_each if {
	spec := {"containers": [ctr("a", [{"containerPort": 1, "hostPort": 1}]), ctr("b", []), ctr("c", [{"containerPort": 2, "hostPort": 2}, {"containerPort": 3, "hostPort": 3}])]}
	count(check.violation) == 3 with input as t.pod_review(spec, {"ranges": []})
}

test_init_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "initContainers": [ctr("init", [{"containerPort": 5, "hostPort": 5}])]}, {"ranges": []})
	t.msgs(v) == {`initContainer "init": ports[0].hostPort is 5; allowed host port ranges: none`}
}

test_ephemeral_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "ephemeralContainers": [ctr("dbg", [{"containerPort": 5, "hostPort": 5}])]}, {"ranges": []})
	count(v) == 1
}

test_host_network_container_port_is_a_host_port if {
	spec := {"hostNetwork": true, "containers": [ctr("app", [{"containerPort": 9000}, {"containerPort": 80}])]}
	v := check.violation with input as t.pod_review(spec, {"allowHostNetwork": true, "ranges": [{"min": 80, "max": 443}]})
	t.msgs(v) == {`container "app": ports[0].containerPort is 9000 (bound on the node, as spec.hostNetwork is true); allowed host port ranges: 80-443`}
}

test_both_host_network_and_ports if {
	spec := {"hostNetwork": true, "containers": [ctr("app", [{"containerPort": 80, "hostPort": 80}])]}
	count(check.violation) == 2 with input as t.pod_review(spec, {"allowHostNetwork": false, "ranges": []})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"hostNetwork": true, "containers": [ctr("a", [{"containerPort": 1, "hostPort": 1}])]}, {"ranges": []}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"hostNetwork": true, "containers": [{"name": "a"}]})
	v := check.violation with input as t.review_with(obj, {"allowHostNetwork": false})
	t.msgs(v) == {`Deployment "d": spec.hostNetwork is true; host network is not allowed`}
}

test_cronjob_host_port if {
	pod := {"containers": [ctr("a", [{"containerPort": 1, "hostPort": 1}])]}
	obj := t.cronjob(pod)
	count(check.violation) == 1 with input as t.review_with(obj, {"ranges": []})
}

test_other_kinds_ignored if {
	obj := {"kind": "Service", "metadata": {"name": "s"}, "spec": {"hostNetwork": true}}
	count(check.violation) == 0 with input as t.review_with(obj, {})
}
