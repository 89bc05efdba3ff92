package d8.allowed_flex_volumes_test

import data.d8.allowed_flex_volumes as check
import data.lib.testing as t

params := {"allowedFlexVolumes": [{"driver": "example/lvm"}, {"driver": "example/cifs"}]}

review(spec) := t.pod_review(spec, params)

flex(name, driver) := {"name": name, "flexVolume": {"driver": driver}}

app := {"name": "app", "image": "nginx"}

test_allowed_driver if {
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": [flex("v", "example/lvm")]})
}

test_no_volumes if {
	count(check.violation) == 0 with input as review({"containers": [app]})
}

test_other_volume_types_ignored if {
	count(check.violation) == 0 with input as review({"containers": [app], "volumes": [{"name": "e", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/"}}]})
}

test_disallowed_driver_message if {
	v := check.violation with input as review({"containers": [app], "volumes": [flex("data", "evil/driver")]})
	t.msgs(v) == {`volume "data": flexVolume.driver is "evil/driver"; allowed flexVolume drivers: "example/cifs", "example/lvm"`}
}

test_each_bad_volume_reported if {
	v := check.violation with input as review({"containers": [app], "volumes": [flex("a", "x"), flex("b", "example/cifs"), flex("c", "y")]})
	count(v) == 2
}

test_empty_list_forbids_every_flex_volume if {
	inp := json.patch(review({"containers": [app], "volumes": [flex("v", "example/lvm")]}), [{"op": "replace", "path": "/parameters", "value": {"allowedFlexVolumes": []}}])
	v := check.violation with input as inp
	t.msgs(v) == {`volume "v": flexVolume.driver is "example/lvm"; allowed flexVolume drivers: none`}
}

test_missing_driver_is_a_violation if {
	count(check.violation) == 1 with input as review({"containers": [app], "volumes": [{"name": "v", "flexVolume": {}}]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [app], "volumes": [flex("v", "bad")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_deployment if {
	obj := t.deployment({"containers": [app], "volumes": [flex("v", "bad")]})
	count(check.violation) == 1 with input as t.review_with(obj, params)
}

test_cronjob if {
	obj := t.cronjob({"containers": [app], "volumes": [flex("v", "bad")]})
	count(check.violation) == 1 with input as t.review_with(obj, params)
}

test_non_pod_object_ignored if {
	obj := {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
	count(check.violation) == 0 with input as t.review_with(obj, params)
}
