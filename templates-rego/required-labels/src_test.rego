package d8.required_labels_test

import data.d8.required_labels as check
import data.lib.testing as t

params := {"labels": [{"key": "team"}, {"key": "env", "allowedRegex": "^(prod|dev)$"}]}

review(obj) := t.review_with(obj, params)

pod(labels) := object.union(t.pod({"containers": [{"name": "a"}]}), {"metadata": {"labels": labels}})

test_allowed if {
	count(check.violation) == 0 with input as review(pod({"team": "x", "env": "prod", "other": "y"}))
}

test_missing_label if {
	v := check.violation with input as review(pod({"env": "dev"}))
	t.msgs(v) == {`Pod "p": metadata.labels has no label "team"; required labels: "env", "team"`}
}

test_labels_absent if {
	obj := t.pod({})
	v := check.violation with input as review(obj)
	count(v) == 2
}

test_value_not_matching_regex if {
	v := check.violation with input as review(pod({"team": "x", "env": "preprod"}))
	t.msgs(v) == {`Pod "p": metadata.labels["env"] is "preprod"; it must match regex "^(prod|dev)$"`}
}

test_regex_is_not_anchored_for_the_user if {
	inp := t.review_with(pod({"env": "preprod"}), {"labels": [{"key": "env", "allowedRegex": "prod"}]})
	count(check.violation) == 0 with input as inp
}

test_empty_regex_accepts_any_value if {
	inp := t.review_with(pod({"env": ""}), {"labels": [{"key": "env", "allowedRegex": ""}]})
	count(check.violation) == 0 with input as inp
}

test_empty_value_checked_against_regex if {
	v := check.violation with input as review(pod({"team": "", "env": ""}))
	count(v) == 1
}

test_null_regex_accepts_any_value if {
	inp := t.review_with(pod({"env": "x"}), {"labels": [{"key": "env", "allowedRegex": null}]})
	count(check.violation) == 0 with input as inp
}

test_invalid_regex_fails_closed if {
	inp := t.review_with(pod({"env": "prod"}), {"labels": [{"key": "env", "allowedRegex": "(prod"}]})
	v := check.violation with input as inp
	t.msgs(v) == {`Pod "p": metadata.labels["env"] is "prod"; allowedRegex "(prod" is not a valid regular expression, so no value is accepted`}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review(pod({})), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller_own_labels_not_template if {
	obj := {"kind": "Deployment", "metadata": {"name": "d", "labels": {"team": "x"}}, "spec": {"template": {"metadata": {"labels": {"env": "prod"}}}}}
	v := check.violation with input as review(obj)
	t.msgs(v) == {`Deployment "d": metadata.labels has no label "env"; required labels: "env", "team"`}
}

test_any_kind if {
	obj := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "labels": {"team": "x", "env": "stage"}}}
	v := check.violation with input as review(obj)
	t.msgs(v) == {`Ingress "i": metadata.labels["env"] is "stage"; it must match regex "^(prod|dev)$"`}
}

test_generate_name if {
	obj := {"kind": "Pod", "metadata": {"generateName": "web-"}}
	v := check.violation with input as review(obj)
	`Pod "web-": metadata.labels has no label "team"; required labels: "env", "team"` in t.msgs(v)
}

# Unlike pod checks, a Pod UPDATE that only changes labels is judged: the labels are what it checks.
test_label_only_pod_update_judged if {
	old := pod({"team": "x", "env": "prod"})
	new := pod({"env": "prod"})
	v := check.violation with input as object.union(review(new), {"review": {"operation": "UPDATE", "oldObject": old}})
	t.msgs(v) == {`Pod "p": metadata.labels has no label "team"; required labels: "env", "team"`}
}
