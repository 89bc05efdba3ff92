package d8.required_labels_test

import data.d8.required_labels as check

params := {"labels": [{"key": "team"}, {"key": "env", "allowedRegex": "^(prod|dev)$"}]}

review(obj) := {"review": {"operation": "CREATE", "object": obj}, "parameters": params}

pod(labels) := {"kind": "Pod", "metadata": {"name": "p", "labels": labels}, "spec": {"containers": [{"name": "a"}]}}

msgs(v) := {x.msg | some x in v}

test_allowed if {
	count(check.violation) == 0 with input as review(pod({"team": "x", "env": "prod", "other": "y"}))
}

test_missing_label if {
	v := check.violation with input as review(pod({"env": "dev"}))
	msgs(v) == {`Pod "p": metadata.labels has no label "team"; required labels: "env", "team"`}
}

test_labels_absent if {
	obj := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
	v := check.violation with input as review(obj)
	count(v) == 2
}

test_value_not_matching_regex if {
	v := check.violation with input as review(pod({"team": "x", "env": "preprod"}))
	msgs(v) == {`Pod "p": metadata.labels["env"] is "preprod"; it must match regex "^(prod|dev)$"`}
}

test_regex_is_not_anchored_for_the_user if {
	inp := {"review": {"operation": "CREATE", "object": pod({"env": "preprod"})}, "parameters": {"labels": [{"key": "env", "allowedRegex": "prod"}]}}
	count(check.violation) == 0 with input as inp
}

test_empty_regex_accepts_any_value if {
	inp := {"review": {"operation": "CREATE", "object": pod({"env": ""})}, "parameters": {"labels": [{"key": "env", "allowedRegex": ""}]}}
	count(check.violation) == 0 with input as inp
}

test_empty_value_checked_against_regex if {
	v := check.violation with input as review(pod({"team": "", "env": ""}))
	count(v) == 1
}

test_null_regex_accepts_any_value if {
	inp := {"review": {"operation": "CREATE", "object": pod({"env": "x"})}, "parameters": {"labels": [{"key": "env", "allowedRegex": null}]}}
	count(check.violation) == 0 with input as inp
}

test_invalid_regex_fails_closed if {
	inp := {"review": {"operation": "CREATE", "object": pod({"env": "prod"})}, "parameters": {"labels": [{"key": "env", "allowedRegex": "(prod"}]}}
	v := check.violation with input as inp
	msgs(v) == {`Pod "p": metadata.labels["env"] is "prod"; allowedRegex "(prod" is not a valid regular expression, so no value is accepted`}
}

test_delete_is_never_a_violation if {
	inp := json.patch(review(pod({})), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller_own_labels_not_template if {
	obj := {"kind": "Deployment", "metadata": {"name": "d", "labels": {"team": "x"}}, "spec": {"template": {"metadata": {"labels": {"env": "prod"}}}}}
	v := check.violation with input as review(obj)
	msgs(v) == {`Deployment "d": metadata.labels has no label "env"; required labels: "env", "team"`}
}

test_any_kind if {
	obj := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "labels": {"team": "x", "env": "stage"}}}
	v := check.violation with input as review(obj)
	msgs(v) == {`Ingress "i": metadata.labels["env"] is "stage"; it must match regex "^(prod|dev)$"`}
}

test_generate_name if {
	obj := {"kind": "Pod", "metadata": {"generateName": "web-"}}
	v := check.violation with input as review(obj)
	`Pod "web-": metadata.labels has no label "team"; required labels: "env", "team"` in msgs(v)
}
