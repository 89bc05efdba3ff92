package d8.dns_policy_test

import data.d8.dns_policy as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

containers := [{"name": "app", "image": "nginx"}]

test_allowed_host_network_with_right_policy if {
	count(check.violation) == 0 with input as review({"hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet", "containers": containers})
}

test_allowed_without_host_network if {
	count(check.violation) == 0 with input as review({"dnsPolicy": "ClusterFirst", "containers": containers})
	count(check.violation) == 0 with input as review({"hostNetwork": false, "containers": containers})
}

test_wrong_policy_exact_message if {
	v := check.violation with input as review({"hostNetwork": true, "dnsPolicy": "ClusterFirst", "containers": containers})
	t.msgs(v) == {`Pod "p": spec.hostNetwork is true and spec.dnsPolicy is "ClusterFirst"; a host-network pod must use dnsPolicy "ClusterFirstWithHostNet"`}
}

test_policy_absent_exact_message if {
	v := check.violation with input as review({"hostNetwork": true, "containers": containers})
	t.msgs(v) == {`Pod "p": spec.hostNetwork is true and spec.dnsPolicy is not set (the default is "ClusterFirst"); a host-network pod must use dnsPolicy "ClusterFirstWithHostNet"`}
}

test_default_and_none_violate if {
	count(check.violation) == 1 with input as review({"hostNetwork": true, "dnsPolicy": "Default", "containers": containers})
	count(check.violation) == 1 with input as review({"hostNetwork": true, "dnsPolicy": "None", "containers": containers})
}

test_multi_init_ephemeral_containers_reported_once if {
	spec := {"hostNetwork": true, "containers": [{"name": "a"}, {"name": "b"}], "initContainers": [{"name": "init"}], "ephemeralContainers": [{"name": "dbg"}]}
	count(check.violation) == 1 with input as review(spec)
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"hostNetwork": true, "containers": containers}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.controller("DaemonSet", "ds", {"hostNetwork": true, "containers": containers})
	count(check.violation) == 1 with input as t.review_with(obj, {})
}
