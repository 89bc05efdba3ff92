package d8.revision_history_limit_test

import data.d8.revision_history_limit as check
import data.lib.testing as t

review(kind, spec, limit) := t.review_with({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": spec}, {"limit": limit})

template := {"template": {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}}

with_limit(n) := object.union(template, {"revisionHistoryLimit": n})

test_allowed_below_and_at_limit if {
	count(check.violation) == 0 with input as review("Deployment", with_limit(2), 3)
	count(check.violation) == 0 with input as review("Deployment", with_limit(3), 3)
}

test_above_limit_exact_message if {
	v := check.violation with input as review("Deployment", with_limit(20), 3)
	t.msgs(v) == {`Deployment "w": spec.revisionHistoryLimit is 20; at most 3 is allowed`}
}

test_absent_means_default_10 if {
	v := check.violation with input as review("DaemonSet", template, 3)
	t.msgs(v) == {`DaemonSet "w": spec.revisionHistoryLimit is not set (the Kubernetes default is 10); at most 3 is allowed`}
	count(check.violation) == 0 with input as review("DaemonSet", template, 10)
}

test_zero if {
	count(check.violation) == 0 with input as review("Deployment", with_limit(0), 0)
	count(check.violation) == 1 with input as review("Deployment", with_limit(1), 0)
}

test_statefulset if {
	count(check.violation) == 1 with input as review("StatefulSet", with_limit(5), 3)
	count(check.violation) == 0 with input as review("StatefulSet", with_limit(1), 3)
}

test_other_kinds_not_reviewed if {
	count(check.violation) == 0 with input as review("ReplicaSet", with_limit(50), 3)
	count(check.violation) == 0 with input as review("Pod", {"containers": [{"name": "app"}]}, 3)
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review("Deployment", with_limit(50), 3), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_update if {
	inp := t.as_operation(review("Deployment", with_limit(50), 3), "UPDATE")
	count(check.violation) == 1 with input as inp
}
