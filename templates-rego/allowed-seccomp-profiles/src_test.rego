package d8.allowed_seccomp_profiles_test

import data.d8.allowed_seccomp_profiles as check
import data.lib.testing as t

baseline := {"allowedProfiles": ["RuntimeDefault", "Localhost", ""], "allowedLocalhostFiles": ["*"], "ignoreAnnotations": true}

restricted := {"allowedProfiles": ["RuntimeDefault", "Localhost"], "allowedLocalhostFiles": ["*"], "exemptWindowsPods": true, "ignoreAnnotations": true}

review(annotations, spec, params) := t.review_with(object.union(t.pod(spec), {"metadata": {"annotations": annotations}}), params)

sc(name, p) := t.container(name, {"seccompProfile": p})

rd := {"type": "RuntimeDefault"}

unconfined := {"type": "Unconfined"}

localhost(f) := {"type": "Localhost", "localhostProfile": f}

pod_level(p, containers) := {"securityContext": {"seccompProfile": p}, "containers": containers}

one := {"containers": [{"name": "app"}]}

test_baseline_allows_unset_and_good_profiles if {
	count(check.violation) == 0 with input as review({}, one, baseline)
	count(check.violation) == 0 with input as review({}, pod_level(rd, [sc("a", localhost("x.json")), {"name": "b"}]), baseline)
}

test_baseline_unconfined_container if {
	v := check.violation with input as review({}, {"containers": [sc("app", unconfined)]}, baseline)
	t.msgs(v) == {`container "app": securityContext.seccompProfile is Unconfined; allowed seccomp profiles: RuntimeDefault, Localhost, unset`}
}

test_baseline_unconfined_pod_reported_once if {
	v := check.violation with input as review({}, pod_level(unconfined, [{"name": "a"}, {"name": "b"}]), baseline)
	t.msgs(v) == {`pod: spec.securityContext.seccompProfile is Unconfined; allowed seccomp profiles: RuntimeDefault, Localhost, unset`}
}

test_pod_level_reported_even_if_overridden if {
	count(check.violation) == 1 with input as review({}, pod_level(unconfined, [sc("a", rd)]), restricted)
}

test_baseline_ignores_annotations if {
	count(check.violation) == 0 with input as review({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, one, baseline)
}

test_restricted_unset_violates if {
	v := check.violation with input as review({}, one, restricted)
	t.msgs(v) == {`container "app": no seccomp profile is set (securityContext.seccompProfile or spec.securityContext.seccompProfile); allowed seccomp profiles: RuntimeDefault, Localhost`}
}

test_restricted_pod_level_covers_containers if {
	count(check.violation) == 0 with input as review({}, pod_level(localhost("testing"), [{"name": "a"}, {"name": "b"}]), restricted)
}

test_restricted_partial_override if {
	# PSA fixture seccompprofile_restricted2: one container set, the other not, no pod-level profile.
	spec := {"containers": [sc("c1", rd)], "initContainers": [{"name": "i1"}]}
	v := check.violation with input as review({}, spec, restricted)
	t.msgs(v) == {`initContainer "i1": no seccomp profile is set (securityContext.seccompProfile or spec.securityContext.seccompProfile); allowed seccomp profiles: RuntimeDefault, Localhost`}
}

test_restricted_windows_exempt if {
	count(check.violation) == 0 with input as review({}, {"os": {"name": "windows"}, "containers": [{"name": "a"}]}, restricted)
	count(check.violation) == 1 with input as review({}, {"os": {"name": "linux"}, "containers": [{"name": "a"}]}, restricted)
}

test_localhost_files if {
	params := {"allowedProfiles": ["Localhost"], "allowedLocalhostFiles": ["profiles/audit.json", "team/*"]}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", localhost("profiles/audit.json")), sc("b", localhost("team/x/y.json"))]}, params)
	v := check.violation with input as review({}, {"containers": [sc("a", localhost("other.json"))]}, params)
	t.msgs(v) == {`container "a": securityContext.seccompProfile is Localhost "other.json"; allowed seccomp profiles: Localhost; allowed localhost files: profiles/audit.json, team/*`}
}

test_localhost_without_files_allows_none if {
	count(check.violation) == 1 with input as review({}, {"containers": [sc("a", localhost("x.json"))]}, {"allowedProfiles": ["Localhost"]})
}

test_localhost_entry_with_file if {
	params := {"allowedProfiles": ["localhost/x.json"]}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", localhost("x.json"))]}, params)
	count(check.violation) == 0 with input as review({"container.seccomp.security.alpha.kubernetes.io/a": "localhost/x.json"}, {"containers": [{"name": "a"}]}, params)
	count(check.violation) == 1 with input as review({}, {"containers": [sc("a", localhost("y.json"))]}, params)
}

test_synonyms if {
	params := {"allowedProfiles": ["runtime/default"]}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", rd)]}, params)
	count(check.violation) == 0 with input as review({"container.seccomp.security.alpha.kubernetes.io/a": "docker/default"}, {"containers": [{"name": "a"}]}, params)
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", rd)]}, {"allowedProfiles": ["docker/default"]})
}

test_annotations_read_by_default if {
	params := {"allowedProfiles": ["RuntimeDefault"]}

	# The pod annotation gives every container a profile.
	count(check.violation) == 0 with input as review({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}, {"containers": [{"name": "a"}, {"name": "b"}]}, params)
	v := check.violation with input as review({"container.seccomp.security.alpha.kubernetes.io/a": "unconfined"}, {"containers": [{"name": "a"}]}, params)
	t.msgs(v) == {`container "a": annotation container.seccomp.security.alpha.kubernetes.io/a is "unconfined"; allowed seccomp profiles: RuntimeDefault`}
}

test_star_allows_everything if {
	params := {"allowedProfiles": ["*"]}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", unconfined), {"name": "b"}, sc("c", localhost("x"))]}, params)
}

test_star_with_files_limits_localhost if {
	params := {"allowedProfiles": ["*"], "allowedLocalhostFiles": ["good.json"]}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", unconfined), {"name": "b"}, sc("c", localhost("good.json"))]}, params)
	v := check.violation with input as review({}, {"containers": [sc("c", localhost("bad.json"))]}, params)
	t.msgs(v) == {`container "c": securityContext.seccompProfile is Localhost "bad.json"; allowed seccomp profiles: *; allowed localhost files: good.json`}
}

test_undefined_entry_allows_unset if {
	count(check.violation) == 0 with input as review({}, one, {"allowedProfiles": ["RuntimeDefault", "undefined"]})
}

test_multi_container_reports_each if {
	spec := {"containers": [sc("a", unconfined), sc("b", rd), {"name": "c"}]}
	v := check.violation with input as review({}, spec, restricted)
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({}, {"containers": [{"name": "a"}], "initContainers": [sc("init", unconfined)]}, baseline)
	t.msgs(v) == {`initContainer "init": securityContext.seccompProfile is Unconfined; allowed seccomp profiles: RuntimeDefault, Localhost, unset`}
}

test_ephemeral_container if {
	v := check.violation with input as review({}, object.union(pod_level(rd, [{"name": "a"}]), {"ephemeralContainers": [sc("dbg", unconfined)]}), restricted)
	count(v) == 1
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({}, {"containers": [sc("a", unconfined)]}, baseline), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [sc("app", unconfined)]})
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

test_cronjob if {
	obj := t.cronjob(one)
	count(check.violation) == 1 with input as t.review_with(obj, restricted)
}

# ---- explicit nulls: Pod Security Admission reads them as absent ----

unset_msg(who) := sprintf("%s: no seccomp profile is set (securityContext.seccompProfile or spec.securityContext.seccompProfile); allowed seccomp profiles: RuntimeDefault, Localhost", [who])

test_null_profile_is_unset if {
	# Restricted needs a profile: a null one is none, at container and at pod level.
	spec := {"securityContext": {"seccompProfile": null}, "containers": [sc("a", null), t.container("b", null)], "initContainers": [sc("i", rd)]}
	t.msgs(check.violation) == {unset_msg(`container "a"`), unset_msg(`container "b"`)} with input as review({}, spec, restricted)
	count(check.violation) == 0 with input as review({}, spec, baseline)
}

test_null_security_context_is_unset if {
	count(check.violation) == 0 with input as review({}, {"securityContext": null, "containers": [sc("a", rd)]}, restricted)
	t.msgs(check.violation) == {unset_msg(`container "a"`)} with input as review({}, {"securityContext": null, "containers": [t.container("a", null)]}, restricted)
}

test_null_pod_profile_leaves_containers_unset if {
	spec := pod_level(null, [{"name": "a"}])
	t.msgs(check.violation) == {unset_msg(`container "a"`)} with input as review({}, spec, restricted)
}

test_null_type_is_an_unset_type if {
	# A profile object whose type is null reads like one without a type.
	every params in [baseline, restricted] {
		v_null := check.violation with input as review({}, {"containers": [sc("a", {"type": null})]}, params)
		v_absent := check.violation with input as review({}, {"containers": [sc("a", {})]}, params)
		t.msgs(v_null) == t.msgs(v_absent)
	}
	count(check.violation) == 0 with input as review({}, {"containers": [sc("a", {"type": null})]}, baseline)
	count(check.violation) == 1 with input as review({}, {"containers": [sc("a", {"type": null})]}, restricted)
	v := check.violation with input as review({}, {"containers": [sc("a", {"type": "Localhost", "localhostProfile": null})]}, {"allowedProfiles": ["Localhost"], "allowedLocalhostFiles": ["x"]})
	t.msgs(v) == {`container "a": securityContext.seccompProfile is Localhost ""; allowed seccomp profiles: Localhost; allowed localhost files: x`}
}

test_null_annotation_is_unset if {
	params := {"allowedProfiles": ["RuntimeDefault"]}
	v := check.violation with input as review({"seccomp.security.alpha.kubernetes.io/pod": null, "container.seccomp.security.alpha.kubernetes.io/a": null}, {"containers": [{"name": "a"}]}, params)
	t.msgs(v) == {`container "a": no seccomp profile is set (securityContext.seccompProfile or spec.securityContext.seccompProfile); allowed seccomp profiles: RuntimeDefault`}
}

test_null_profile_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review_with(t.pod_object(kind, pod_level(null, [sc("a", null)])), restricted)
	}
}
