package d8.replica_limits_test

import data.d8.replica_limits as check
import data.lib.testing as t

deployment(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}

review(obj, ranges) := t.review_with(obj, {"ranges": ranges})

test_allowed_within_range if {
	every n in [2, 3, 5] {
		count(check.violation) == 0 with input as review(deployment({"replicas": n}), [{"minReplicas": 2, "maxReplicas": 5}])
	}
}

test_below_and_above if {
	v := check.violation with input as review(deployment({"replicas": 6}), [{"minReplicas": 2, "maxReplicas": 5}])
	t.msgs(v) == {`Deployment "web": spec.replicas is 6; allowed ranges: 2-5`}
	count(check.violation) == 1 with input as review(deployment({"replicas": 1}), [{"minReplicas": 2, "maxReplicas": 5}])
	count(check.violation) == 1 with input as review(deployment({"replicas": 0}), [{"minReplicas": 2, "maxReplicas": 5}])
}

test_replicas_absent_defaults_to_one if {
	count(check.violation) == 0 with input as review(deployment({}), [{"minReplicas": 1, "maxReplicas": 3}])
	v := check.violation with input as review(deployment({}), [{"minReplicas": 2}])
	t.msgs(v) == {`Deployment "web": spec.replicas is not set (defaults to 1); allowed ranges: 2 or more`}
}

test_min_only if {
	count(check.violation) == 0 with input as review(deployment({"replicas": 100}), [{"minReplicas": 2}])
	count(check.violation) == 1 with input as review(deployment({"replicas": 1}), [{"minReplicas": 2}])
}

test_max_only if {
	count(check.violation) == 0 with input as review(deployment({"replicas": 0}), [{"maxReplicas": 3}])
	v := check.violation with input as review(deployment({"replicas": 4}), [{"maxReplicas": 3}])
	t.msgs(v) == {`Deployment "web": spec.replicas is 4; allowed ranges: up to 3`}
}

test_null_bounds_are_absent if {
	count(check.violation) == 0 with input as review(deployment({"replicas": 9}), [{"minReplicas": 2, "maxReplicas": null}])
}

test_no_bounds_allows_all if {
	count(check.violation) == 0 with input as review(deployment({"replicas": 9}), [{}])
}

test_several_ranges if {
	ranges := [{"minReplicas": 1, "maxReplicas": 2}, {"minReplicas": 5, "maxReplicas": 6}]
	count(check.violation) == 0 with input as review(deployment({"replicas": 5}), ranges)
	v := check.violation with input as review(deployment({"replicas": 3}), ranges)
	t.msgs(v) == {`Deployment "web": spec.replicas is 3; allowed ranges: 1-2, 5-6`}
}

test_empty_ranges_allow_nothing if {
	v := check.violation with input as review(deployment({"replicas": 1}), [])
	t.msgs(v) == {`Deployment "web": spec.replicas is 1; allowed ranges: none`}
}

test_statefulset if {
	obj := {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"replicas": 7}}
	count(check.violation) == 1 with input as review(obj, [{"maxReplicas": 3}])
}

test_other_kind_ignored if {
	obj := {"kind": "DaemonSet", "metadata": {"name": "ds"}, "spec": {}}
	count(check.violation) == 0 with input as review(obj, [{"minReplicas": 3}])
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review(deployment({"replicas": 9}), [{"maxReplicas": 3}]), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_parameter_absent_allows_nothing if {
	v := check.violation with input as t.review(deployment({"replicas": 2}))
	t.msgs(v) == {`Deployment "web": spec.replicas is 2; allowed ranges: none`}
}
