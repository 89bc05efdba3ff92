package d8.selinux_test

import data.d8.selinux as check
import data.lib.testing as t

baseline := {"allowedSELinuxOptions": [
	{"type": "", "level": "*"},
	{"type": "container_t", "level": "*"},
	{"type": "container_init_t", "level": "*"},
	{"type": "container_kvm_t", "level": "*"},
	{"type": "container_engine_t", "level": "*"},
]}

se(name, o) := t.container(name, {"seLinuxOptions": o})

test_allowed if {
	spec := {"securityContext": {"seLinuxOptions": {"type": "container_t"}}, "containers": [se("a", {"type": "container_init_t", "level": "somevalue"})], "initContainers": [se("i", {"type": "container_kvm_t"})]}
	count(check.violation) == 0 with input as t.pod_review(spec, baseline)
}

test_field_absent if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}}]}, baseline)
	count(check.violation) == 0 with input as t.pod_review({"securityContext": {"seLinuxOptions": {}}, "containers": [se("a", {})]}, baseline)
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"level": "s0:c1"})]}, baseline)
}

test_empty_options_always_allowed if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"type": "", "user": ""})]}, {"allowedSELinuxOptions": []})
}

test_bad_type_message if {
	v := check.violation with input as t.pod_review({"containers": [se("app", {"type": "spc_t"})]}, {"allowedSELinuxOptions": [{"type": "container_t", "level": "*"}]})
	t.msgs(v) == {`container "app": securityContext.seLinuxOptions is {type: spc_t}; allowed SELinux options: {type: container_t, level: *}`}
}

test_user_and_role_must_be_empty if {
	v := check.violation with input as t.pod_review({"securityContext": {"seLinuxOptions": {"user": "somevalue"}}, "containers": [se("a", {"role": "r"})]}, baseline)
	t.msgs(v) == {
		`pod: spec.securityContext.seLinuxOptions is {user: somevalue}; allowed SELinux options: {type: "", level: *}, {type: container_t, level: *}, {type: container_init_t, level: *}, {type: container_kvm_t, level: *}, {type: container_engine_t, level: *}`,
		`container "a": securityContext.seLinuxOptions is {role: r}; allowed SELinux options: {type: "", level: *}, {type: container_t, level: *}, {type: container_init_t, level: *}, {type: container_kvm_t, level: *}, {type: container_engine_t, level: *}`,
	}
}

test_entry_fields_exact if {
	params := {"allowedSELinuxOptions": [{"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c123,c456"}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0:c123,c456"})]}, params)
	count(check.violation) == 1 with input as t.pod_review({"containers": [se("a", {"user": "system_u", "role": "system_r", "type": "container_t", "level": "s0"})]}, params)
	count(check.violation) == 1 with input as t.pod_review({"containers": [se("a", {"user": "system_u", "role": "system_r", "type": "container_t"})]}, params)
}

test_omitted_field_requires_empty if {
	params := {"allowedSELinuxOptions": [{"type": "container_t"}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"type": "container_t"})]}, params)
	count(check.violation) == 1 with input as t.pod_review({"containers": [se("a", {"type": "container_t", "level": "s0"})]}, params)
}

test_star_matches_anything if {
	params := {"allowedSELinuxOptions": [{"user": "*", "role": "*", "type": "*", "level": "*"}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"user": "u", "role": "r", "type": "spc_t", "level": "s0"})]}, params)
}

test_multi_container_reports_each if {
	spec := {"containers": [se("a", {"type": "spc_t"}), se("b", {"type": "container_t"}), se("c", {"type": "unconfined_t"})]}
	count(check.violation) == 2 with input as t.pod_review(spec, baseline)
}

test_init_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "initContainers": [se("init", {"type": "somevalue"})]}, baseline)
	count(v) == 1
	every m in t.msgs(v) {
		startswith(m, `initContainer "init": securityContext.seLinuxOptions is {type: somevalue}`)
	}
}

test_ephemeral_container if {
	v := check.violation with input as t.pod_review({"containers": [{"name": "a"}], "ephemeralContainers": [se("dbg", {"type": "spc_t"})]}, baseline)
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review({"containers": [se("a", {"type": "spc_t"})]}, baseline), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [se("app", {"type": "spc_t"})]})
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

test_cronjob if {
	obj := t.cronjob({"securityContext": {"seLinuxOptions": {"role": "x"}}, "containers": [{"name": "app"}]})
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

# ---- explicit nulls: Kubernetes and Pod Security Admission read them as absent ----

test_null_options_are_none if {
	spec := {"securityContext": {"seLinuxOptions": null}, "containers": [se("a", null), t.container("b", null)]}
	count(check.violation) == 0 with input as t.pod_review(spec, {"allowedSELinuxOptions": []})
	count(check.violation) == 0 with input as t.pod_review({"securityContext": null, "containers": [{"name": "a"}]}, baseline)
}

test_null_fields_are_empty if {
	# {type: null} is {type: ""}: empty options, always allowed.
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"type": null, "user": null, "role": null, "level": null})]}, {"allowedSELinuxOptions": []})
	count(check.violation) == 0 with input as t.pod_review({"containers": [se("a", {"type": "container_t", "user": null})]}, {"allowedSELinuxOptions": [{"type": "container_t"}]})
	v := check.violation with input as t.pod_review({"containers": [se("app", {"type": "spc_t", "user": null})]}, {"allowedSELinuxOptions": [{"type": "container_t", "level": "*"}]})
	t.msgs(v) == {`container "app": securityContext.seLinuxOptions is {type: spc_t}; allowed SELinux options: {type: container_t, level: *}`}
}

test_null_options_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review_with(t.pod_object(kind, {"securityContext": {"seLinuxOptions": null}, "containers": [se("a", {"type": "spc_t"}), t.container("b", null)]}), baseline)
	}
}
