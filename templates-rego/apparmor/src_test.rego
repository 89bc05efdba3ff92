package d8.apparmor_test

import data.d8.apparmor as check
import data.lib.testing as t

baseline := {"allowedProfiles": ["runtime/default", "localhost/*"]}

key(name) := concat("", ["container.apparmor.security.beta.kubernetes.io/", name])

review(annotations, spec, params) := t.review_with(object.union(t.pod(spec), {"metadata": {"annotations": annotations}}), params)

profile(name, p) := t.container(name, {"appArmorProfile": p})

one := {"containers": [{"name": "app"}]}

test_unset_is_runtime_default if {
	count(check.violation) == 0 with input as review({}, one, baseline)
	v := check.violation with input as review({}, one, {"allowedProfiles": ["localhost/*"]})
	t.msgs(v) == {`container "app": no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: localhost/*`}
}

test_empty_annotation_is_unset if {
	count(check.violation) == 0 with input as review({key("app"): ""}, one, baseline)
}

test_annotation_values if {
	count(check.violation) == 0 with input as review({key("app"): "localhost/foo"}, one, baseline)
	count(check.violation) == 0 with input as review({key("app"): "runtime/default"}, one, baseline)
	v := check.violation with input as review({key("app"): "unconfined"}, one, baseline)
	t.msgs(v) == {`container "app": annotation container.apparmor.security.beta.kubernetes.io/app is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_field_forms_normalised if {
	count(check.violation) == 0 with input as review({}, {"containers": [profile("app", {"type": "RuntimeDefault"})]}, baseline)
	count(check.violation) == 0 with input as review({}, {"containers": [profile("app", {"type": "Localhost", "localhostProfile": "k8s.deny-write"})]}, baseline)
	v := check.violation with input as review({}, {"containers": [profile("app", {"type": "Unconfined"})]}, baseline)
	t.msgs(v) == {`container "app": securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_exact_and_glob_entries if {
	params := {"allowedProfiles": ["localhost/team-*", "runtime/default"]}
	count(check.violation) == 0 with input as review({key("app"): "localhost/team-a/strict.v2"}, one, params)
	count(check.violation) == 1 with input as review({key("app"): "localhost/other"}, one, params)
}

test_pod_level_field_inherited if {
	spec := {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}, {"name": "b"}]}
	v := check.violation with input as review({}, spec, baseline)
	t.msgs(v) == {`pod: spec.securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
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
	t.msgs(v) == {`pod: annotation container.apparmor.security.beta.kubernetes.io/ghost is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_multi_container_reports_each if {
	spec := {"containers": [profile("a", {"type": "Unconfined"}), {"name": "b"}, {"name": "c"}]}
	v := check.violation with input as review({key("c"): "unconfined"}, spec, baseline)
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({key("init"): "unconfined"}, {"containers": [{"name": "a"}], "initContainers": [{"name": "init"}]}, baseline)
	t.msgs(v) == {`initContainer "init": annotation container.apparmor.security.beta.kubernetes.io/init is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_ephemeral_container if {
	v := check.violation with input as review({}, {"containers": [{"name": "a"}], "ephemeralContainers": [profile("dbg", {"type": "Unconfined"})]}, baseline)
	t.msgs(v) == {`ephemeralContainer "dbg": securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
}

test_empty_allow_list if {
	v := check.violation with input as review({}, one, {"allowedProfiles": []})
	t.msgs(v) == {`container "app": no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: none`}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({key("app"): "unconfined"}, one, baseline), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller_reads_template_annotations if {
	obj := {"kind": "Deployment", "metadata": {"name": "d", "annotations": {key("app"): "runtime/default"}}, "spec": {"template": {"metadata": {"annotations": {key("app"): "unconfined"}}, "spec": one}}}
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

test_cronjob if {
	obj := t.cronjob({"containers": [profile("app", {"type": "Unconfined"})]})
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

# ---- explicit nulls: Pod Security Admission reads them as absent ----

runs_default(who) := sprintf("%s: no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: localhost/*", [who])

test_null_profile_runs_runtime_default if {
	# Unset, so judged as runtime/default, wherever the null is.
	spec := {"securityContext": {"appArmorProfile": null}, "containers": [profile("a", null), t.container("b", null)]}
	t.msgs(check.violation) == {runs_default(`container "a"`), runs_default(`container "b"`)} with input as review({}, spec, {"allowedProfiles": ["localhost/*"]})
	count(check.violation) == 0 with input as review({}, spec, baseline)
	t.msgs(check.violation) == {runs_default(`container "a"`)} with input as review({}, {"securityContext": null, "containers": [{"name": "a"}]}, {"allowedProfiles": ["localhost/*"]})
}

test_null_pod_profile_does_not_hide_container_profiles if {
	spec := {"securityContext": {"appArmorProfile": null}, "containers": [profile("a", {"type": "Unconfined"})]}
	t.msgs(check.violation) == {`container "a": securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`} with input as review({}, spec, baseline)
}

test_null_annotation_is_unset if {
	t.msgs(check.violation) == {runs_default(`container "app"`)} with input as review({key("app"): null}, one, {"allowedProfiles": ["localhost/*"]})
	count(check.violation) == 0 with input as review({key("app"): null, key("ghost"): null}, one, baseline)
}

test_null_type_is_an_absent_type if {
	every params in [baseline, {"allowedProfiles": []}] {
		v_null := check.violation with input as review({}, {"containers": [profile("a", {"type": null})]}, params)
		v_absent := check.violation with input as review({}, {"containers": [profile("a", {})]}, params)
		t.msgs(v_null) == t.msgs(v_absent)
	}
}

test_null_localhost_profile_is_empty if {
	v := check.violation with input as review({}, {"containers": [profile("a", {"type": "Localhost", "localhostProfile": null})]}, {"allowedProfiles": ["localhost/x"]})
	t.msgs(v) == {`container "a": securityContext.appArmorProfile is "localhost/"; allowed AppArmor profiles: localhost/x`}
}

test_null_profile_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review_with(t.pod_object(kind, {"containers": [profile("a", null)]}), {"allowedProfiles": ["localhost/*"]})
	}
}
