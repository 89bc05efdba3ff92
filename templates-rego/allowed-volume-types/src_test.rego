package d8.allowed_volume_types_test

import data.d8.allowed_volume_types as check
import data.lib.testing as t

restricted := ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]

review(spec) := t.pod_review(spec, {"volumes": restricted})

app := {"name": "app", "image": "nginx"}

msgs(inp) := m if {
	v := check.violation with input as inp
	m := t.msgs(v)
}

test_allowed_types if {
	vols := [
		{"name": "a", "configMap": {"name": "c"}}, {"name": "b", "secret": {"secretName": "s"}},
		{"name": "c", "emptyDir": {}}, {"name": "d", "persistentVolumeClaim": {"claimName": "x"}},
		{"name": "e", "projected": {"sources": []}}, {"name": "f", "image": {"reference": "r"}},
	]
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": vols})
}

test_no_volumes if {
	count(check.violation) == 0 with input as review({"containers": [app]})
}

test_sourceless_volume_counts_as_empty_dir if {
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": [{"name": "v"}]})
	count(check.violation) == 1 with input as t.pod_review({"containers": [app], "volumes": [{"name": "v"}]}, {"volumes": ["secret"]})
}

test_null_source_ignored if {
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": [{"name": "v", "hostPath": null, "secret": {}}]})
}

test_disallowed_type_message if {
	msgs(t.pod_review({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, {"volumes": ["secret", "configMap"]})) == {`volume "h": type hostPath is not allowed; allowed volume types: configMap, secret`}
}

test_each_bad_volume_reported if {
	vols := [{"name": "a", "hostPath": {"path": "/"}}, {"name": "b", "nfs": {"server": "s", "path": "/"}}, {"name": "c", "secret": {}}, {"name": "d", "cephfs": {"monitors": ["m"]}}]
	count(check.violation) == 3 with input as review({"containers": [app], "volumes": vols})
}

test_star_allows_everything if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, {"volumes": ["*"]})
}

test_none_allows_nothing if {
	msgs(t.pod_review({"containers": [app], "volumes": [{"name": "s", "secret": {}}]}, {"volumes": ["none"]})) == {`volume "s": type secret is not allowed; allowed volume types: none`}
	count(check.violation) == 1 with input as t.pod_review({"containers": [app], "volumes": [{"name": "s", "secret": {}}]}, {"volumes": []})
}

test_volume_mounted_by_many_containers_reported_once if {
	c := {"name": "x", "volumeMounts": [{"name": "h", "mountPath": "/h"}]}
	spec := {"containers": [c, object.union(c, {"name": "y"})], "initContainers": [object.union(c, {"name": "i"})], "ephemeralContainers": [object.union(c, {"name": "e"})], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}
	count(check.violation) == 1 with input as review(spec)
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_statefulset if {
	obj := t.controller("StatefulSet", "s", {"containers": [app], "volumes": [{"name": "g", "gitRepo": {"repository": "r"}}]})
	count(check.violation) == 1 with input as t.review_with(obj, {"volumes": restricted})
}

test_cronjob if {
	obj := t.cronjob({"containers": [app], "volumes": [{"name": "g", "flexVolume": {"driver": "d"}}]})
	count(check.violation) == 1 with input as t.review_with(obj, {"volumes": restricted})
}
