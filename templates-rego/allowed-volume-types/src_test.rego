package d8.allowed_volume_types_test

import data.d8.allowed_volume_types as check

restricted := ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]

review_with(spec, p) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": p}

review(spec) := review_with(spec, {"volumes": restricted})

app := {"name": "app", "image": "nginx"}

msgs(inp) := m if {
	v := check.violation with input as inp
	m := {x.msg | some x in v}
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
	count(check.violation) == 1 with input as review_with({"containers": [app], "volumes": [{"name": "v"}]}, {"volumes": ["secret"]})
}

test_null_source_ignored if {
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": [{"name": "v", "hostPath": null, "secret": {}}]})
}

test_disallowed_type_message if {
	msgs(review_with({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, {"volumes": ["secret", "configMap"]})) == {`volume "h": type hostPath is not allowed; allowed volume types: configMap, secret`}
}

test_each_bad_volume_reported if {
	vols := [{"name": "a", "hostPath": {"path": "/"}}, {"name": "b", "nfs": {"server": "s", "path": "/"}}, {"name": "c", "secret": {}}, {"name": "d", "cephfs": {"monitors": ["m"]}}]
	count(check.violation) == 3 with input as review({"containers": [app], "volumes": vols})
}

test_star_allows_everything if {
	count(check.violation) == 0 with input as review_with({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, {"volumes": ["*"]})
}

test_none_allows_nothing if {
	msgs(review_with({"containers": [app], "volumes": [{"name": "s", "secret": {}}]}, {"volumes": ["none"]})) == {`volume "s": type secret is not allowed; allowed volume types: none`}
	count(check.violation) == 1 with input as review_with({"containers": [app], "volumes": [{"name": "s", "secret": {}}]}, {"volumes": []})
}

test_volume_mounted_by_many_containers_reported_once if {
	c := {"name": "x", "volumeMounts": [{"name": "h", "mountPath": "/h"}]}
	spec := {"containers": [c, object.union(c, {"name": "y"})], "initContainers": [object.union(c, {"name": "i"})], "ephemeralContainers": [object.union(c, {"name": "e"})], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}
	count(check.violation) == 1 with input as review(spec)
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({"containers": [app], "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_statefulset if {
	obj := {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": {"spec": {"containers": [app], "volumes": [{"name": "g", "gitRepo": {"repository": "r"}}]}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": {"volumes": restricted}}
}

test_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [app], "volumes": [{"name": "g", "flexVolume": {"driver": "d"}}]}}}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": {"volumes": restricted}}
}
