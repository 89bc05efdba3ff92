package d8.automount_service_account_token_test

import data.d8.automount_service_account_token as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

review_op(op, spec) := t.as_operation(review(spec), op)

containers := [{"name": "a"}]

token_mount(name) := {"name": name, "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "token", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}

test_explicit_false_allowed if {
	count(check.violation) == 0 with input as review({"automountServiceAccountToken": false, "containers": containers})
}

test_true_denied if {
	v := check.violation with input as review({"automountServiceAccountToken": true, "containers": containers})
	t.msgs(v) == {`Pod "p": spec.automountServiceAccountToken is true; it must be set to false (service account token automount is not allowed)`}
}

test_field_absent_denied if {
	v := check.violation with input as review({"containers": containers})
	t.msgs(v) == {`Pod "p": spec.automountServiceAccountToken is not set; it must be set to false (service account token automount is not allowed)`}
}

test_manual_token_mount_denied if {
	v := check.violation with input as review({"automountServiceAccountToken": false, "containers": [token_mount("app")]})
	t.msgs(v) == {`container "app": volumeMounts[1].mountPath is "/var/run/secrets/kubernetes.io/serviceaccount" (volume "token"); mounting the service account token is not allowed`}
}

test_token_mount_trailing_slash_and_other_paths if {
	m := {"name": "a", "volumeMounts": [{"name": "t", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount/"}, {"name": "s", "mountPath": "/var/run/secrets/other"}]}
	count(check.violation) == 1 with input as review({"automountServiceAccountToken": false, "containers": [m]})
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"automountServiceAccountToken": false, "containers": [token_mount("a"), {"name": "b"}, token_mount("c")]})
}

test_init_container if {
	v := check.violation with input as review({"automountServiceAccountToken": false, "containers": containers, "initContainers": [token_mount("init")]})
	count(v) == 1
	some x in v
	startswith(x.msg, `initContainer "init": volumeMounts[1].mountPath`)
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as review({"automountServiceAccountToken": false, "containers": containers, "ephemeralContainers": [token_mount("dbg")]})
}

test_pod_update_not_reviewed if {
	count(check.violation) == 0 with input as review_op("UPDATE", {"containers": containers})
}

test_delete_is_never_a_violation if {
	count(check.violation) == 0 with input as review_op("DELETE", {"containers": containers})
}

test_controller_reviewed_on_update if {
	obj := t.deployment({"containers": containers})
	v := check.violation with input as t.as_operation(t.review(obj), "UPDATE")
	t.msgs(v) == {`Deployment "d": spec.automountServiceAccountToken is not set; it must be set to false (service account token automount is not allowed)`}
}

test_cronjob_allowed if {
	pod := {"automountServiceAccountToken": false, "containers": containers}
	obj := t.cronjob(pod)
	count(check.violation) == 0 with input as t.review(obj)
}

test_other_kinds_ignored if {
	obj := {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
	count(check.violation) == 0 with input as t.review(obj)
}
