package d8.apparmor_test

import data.d8.apparmor as check

baseline := {"allowedProfiles": ["runtime/default", "localhost/*"]}

key(name) := concat("", ["container.apparmor.security.beta.kubernetes.io/", name])

review(annotations, spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p", "annotations": annotations}, "spec": spec}}, "parameters": params}

profile(name, p) := {"name": name, "securityContext": {"appArmorProfile": p}}

one := {"containers": [{"name": "app"}]}

msgs(v) := {x.msg | some x in v}

test_unset_is_runtime_default if {
	count(check.violation) == 0 with input as review({}, one, baseline)
	v := check.violation with input as review({}, one, {"allowedProfiles": ["localhost/*"]})
	msgs(v) == {`container "app": no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: localhost/*`}
}

test_empty_annotation_is_unset if {
	count(check.violation) == 0 with input as review({key("app"): ""}, one, baseline)
}

test_annotation_values if {
	count(check.violation) == 0 with input as review({key("app"): "localhost/foo"}, one, baseline)
	count(check.violation) == 0 with input as review({key("app"): "runtime/default"}, one, baseline)
	v := check.violation with input as review({key("app"): "unconfined"}, one, baseline)
	msgs(v) == {`container "app": annotation container.apparmor.security.beta.kubernetes.io/app is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_field_forms_normalised if {
	count(check.violation) == 0 with input as review({}, {"containers": [profile("app", {"type": "RuntimeDefault"})]}, baseline)
	count(check.violation) == 0 with input as review({}, {"containers": [profile("app", {"type": "Localhost", "localhostProfile": "k8s.deny-write"})]}, baseline)
	v := check.violation with input as review({}, {"containers": [profile("app", {"type": "Unconfined"})]}, baseline)
	msgs(v) == {`container "app": securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_exact_and_glob_entries if {
	params := {"allowedProfiles": ["localhost/team-*", "runtime/default"]}
	count(check.violation) == 0 with input as review({key("app"): "localhost/team-a/strict.v2"}, one, params)
	count(check.violation) == 1 with input as review({key("app"): "localhost/other"}, one, params)
}

test_pod_level_field_inherited if {
	spec := {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}, {"name": "b"}]}
	v := check.violation with input as review({}, spec, baseline)
	msgs(v) == {`pod: spec.securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_pod_level_field_reported_even_if_overridden if {
	# As Pod Security Admission: every declared profile must be allowed.
	spec := {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [profile("a", {"type": "RuntimeDefault"})]}
	count(check.violation) == 1 with input as review({}, spec, baseline)
}

test_pod_level_field_satisfies_unset_containers if {
	spec := {"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}, "containers": [{"name": "a"}]}
	count(check.violation) == 0 with input as review({}, spec, {"allowedProfiles": ["localhost/x"]})
}

test_container_field_overrides_pod if {
	spec := {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}, "containers": [profile("a", {"type": "Localhost", "localhostProfile": "x"})]}
	count(check.violation) == 0 with input as review({}, spec, {"allowedProfiles": ["localhost/x", "runtime/default"]})
}

test_annotation_for_missing_container if {
	v := check.violation with input as review({key("ghost"): "unconfined"}, one, baseline)
	msgs(v) == {`pod: annotation container.apparmor.security.beta.kubernetes.io/ghost is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_multi_container_reports_each if {
	spec := {"containers": [profile("a", {"type": "Unconfined"}), {"name": "b"}, {"name": "c"}]}
	v := check.violation with input as review({key("c"): "unconfined"}, spec, baseline)
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({key("init"): "unconfined"}, {"containers": [{"name": "a"}], "initContainers": [{"name": "init"}]}, baseline)
	msgs(v) == {`initContainer "init": annotation container.apparmor.security.beta.kubernetes.io/init is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_ephemeral_container if {
	v := check.violation with input as review({}, {"containers": [{"name": "a"}], "ephemeralContainers": [profile("dbg", {"type": "Unconfined"})]}, baseline)
	msgs(v) == {`ephemeralContainer "dbg": securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_empty_allow_list if {
	v := check.violation with input as review({}, one, {"allowedProfiles": []})
	msgs(v) == {`container "app": no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: none`}
}

test_delete_is_never_a_violation if {
	inp := json.patch(review({key("app"): "unconfined"}, one, baseline), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller_reads_template_annotations if {
	obj := {"kind": "Deployment", "metadata": {"name": "d", "annotations": {key("app"): "runtime/default"}}, "spec": {"template": {"metadata": {"annotations": {key("app"): "unconfined"}}, "spec": one}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": baseline}
}

test_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [profile("app", {"type": "Unconfined"})]}}}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": baseline}
}
