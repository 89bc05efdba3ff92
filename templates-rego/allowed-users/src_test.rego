package d8.allowed_users_test

import data.d8.allowed_users as check
import data.lib.testing as t

pss := {"runAsUser": {"rule": "MustRunAsNonRoot"}, "exemptUserNamespacePods": true}

review(spec) := t.pod_review(spec, pss)

c(name, sc) := {"name": name, "image": "nginx", "securityContext": sc}

msgs(inp) := m if {
	v := check.violation with input as inp
	m := t.msgs(v)
}

# ---- MustRunAsNonRoot (PSA restricted runAsNonRoot + runAsUser) ----

test_pod_level_run_as_non_root if {
	count(check.violation) == 0 with input as review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {})], "initContainers": [c("i", {})]})
}

test_every_container_run_as_non_root if {
	count(check.violation) == 0 with input as review({"containers": [c("a", {"runAsNonRoot": true})], "initContainers": [c("i", {"runAsNonRoot": true})]})
}

test_non_zero_run_as_user_allowed if {
	count(check.violation) == 0 with input as review({"securityContext": {"runAsNonRoot": true, "runAsUser": 1000}, "containers": [c("a", {"runAsUser": 1000})]})
}

test_field_absent_is_a_violation if {
	msgs(review({"containers": [{"name": "a"}]})) == {`container "a": securityContext.runAsNonRoot is not set in the container or the pod; the pod or every container must set securityContext.runAsNonRoot: true`}
}

test_run_as_user_alone_is_not_enough if {
	# PSA requires runAsNonRoot even when a non-zero runAsUser is set.
	count(check.violation) == 1 with input as review({"securityContext": {"runAsUser": 1000}, "containers": [c("a", {})]})
}

test_pod_level_false if {
	msgs(review({"securityContext": {"runAsNonRoot": false}, "containers": [c("a", {})]})) == {`pod: spec.securityContext.runAsNonRoot is false; the pod or every container must set securityContext.runAsNonRoot: true`}
}

test_container_false_overrides_pod_true if {
	msgs(review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {"runAsNonRoot": false})]})) == {`container "a": securityContext.runAsNonRoot is false; the pod or every container must set securityContext.runAsNonRoot: true`}
}

test_some_containers_unset_without_pod_level if {
	spec := {"containers": [c("a", {"runAsNonRoot": true}), c("b", {}), {"name": "d"}]}
	count(check.violation) == 2 with input as review(spec)
}

test_pod_run_as_user_zero if {
	msgs(review({"securityContext": {"runAsNonRoot": true, "runAsUser": 0}, "containers": [c("a", {"runAsUser": 1000})]})) == {"pod: spec.securityContext.runAsUser is 0; running as root (UID 0) is not allowed"}
}

test_container_run_as_user_zero if {
	msgs(review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {"runAsUser": 0})]})) == {`container "a": securityContext.runAsUser is 0; running as root (UID 0) is not allowed`}
}

test_init_container if {
	msgs(review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {})], "initContainers": [c("init", {"runAsNonRoot": false})]})) == {`initContainer "init": securityContext.runAsNonRoot is false; the pod or every container must set securityContext.runAsNonRoot: true`}
	count(check.violation) == 1 with input as review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {})], "initContainers": [c("init", {"runAsUser": 0})]})
}

test_ephemeral_container if {
	msgs(review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {})], "ephemeralContainers": [c("dbg", {"runAsUser": 0})]})) == {`ephemeralContainer "dbg": securityContext.runAsUser is 0; running as root (UID 0) is not allowed`}
}

test_user_namespace_pods_exempt if {
	spec := {"hostUsers": false, "securityContext": {"runAsUser": 0}, "containers": [c("a", {"runAsNonRoot": false})]}
	count(check.violation) == 0 with input as review(spec)

	# Without the exemption, or with hostUsers: true, the pod is checked.
	count(check.violation) == 2 with input as t.pod_review(spec, {"runAsUser": {"rule": "MustRunAsNonRoot"}})
	count(check.violation) == 2 with input as review(json.patch(spec, [{"op": "replace", "path": "/hostUsers", "value": true}]))
}

test_windows_pods_not_exempt if {
	count(check.violation) == 1 with input as review({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
}

# ---- MustRunAs / MayRunAs ----

ranged := {
	"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]},
	"runAsGroup": {"rule": "MayRunAs", "ranges": [{"min": 100, "max": 200}, {"min": 500}]},
	"fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 10, "max": 20}]},
	"supplementalGroups": {"rule": "MayRunAs", "ranges": [{"max": 50}]},
}

test_must_run_as_within_range if {
	spec := {"securityContext": {"runAsUser": 1500, "fsGroup": 15, "supplementalGroups": [1, 50]}, "containers": [c("a", {"runAsUser": 1000, "runAsGroup": 150}), c("b", {"runAsGroup": 900})]}
	count(check.violation) == 0 with input as t.pod_review(spec, ranged)
}

test_must_run_as_unset if {
	msgs(t.pod_review({"securityContext": {"fsGroup": 10}, "containers": [c("a", {})]}, ranged)) == {`container "a": runAsUser is not set in the container or the pod securityContext; it must be set within the allowed ranges: 1000-2000`}
}

test_must_run_as_out_of_range if {
	msgs(t.pod_review({"securityContext": {"fsGroup": 10, "runAsUser": 5}, "containers": [c("a", {}), c("b", {"runAsUser": 3000})]}, ranged)) == {
		`container "a": spec.securityContext.runAsUser (from the pod) is 5; allowed ranges: 1000-2000`,
		`container "b": securityContext.runAsUser is 3000; allowed ranges: 1000-2000`,
	}
}

test_may_run_as if {
	spec := {"securityContext": {"runAsUser": 1000, "fsGroup": 10}, "containers": [c("a", {}), c("b", {"runAsGroup": 300})]}
	msgs(t.pod_review(spec, ranged)) == {`container "b": securityContext.runAsGroup is 300; allowed ranges: 100-200, 500 or more`}
}

test_fs_group if {
	msgs(t.pod_review({"securityContext": {"runAsUser": 1000}, "containers": [c("a", {})]}, ranged)) == {"pod: spec.securityContext.fsGroup is not set; it must be set within the allowed ranges: 10-20"}
	msgs(t.pod_review({"securityContext": {"runAsUser": 1000, "fsGroup": 30}, "containers": [c("a", {})]}, ranged)) == {"pod: spec.securityContext.fsGroup is 30; allowed ranges: 10-20"}
}

test_supplemental_groups if {
	msgs(t.pod_review({"securityContext": {"runAsUser": 1000, "fsGroup": 10, "supplementalGroups": [1, 60, 70]}, "containers": [c("a", {})]}, ranged)) == {
		"pod: spec.securityContext.supplementalGroups contains 60; allowed ranges: up to 50",
		"pod: spec.securityContext.supplementalGroups contains 70; allowed ranges: up to 50",
	}
	p := {"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 5}]}}
	msgs(t.pod_review({"containers": [c("a", {})]}, p)) == {"pod: spec.securityContext.supplementalGroups is not set; it must list groups within the allowed ranges: 1-5"}
}

test_must_run_as_every_container_kind if {
	p := {"runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 5}]}}
	spec := {"containers": [c("a", {"runAsGroup": 1}), c("b", {"runAsGroup": 9})], "initContainers": [c("i", {})], "ephemeralContainers": [c("e", {"runAsGroup": 0})]}
	count(check.violation) == 3 with input as t.pod_review(spec, p)
}

test_run_as_any_and_absent_blocks_allow_everything if {
	spec := {"securityContext": {"runAsUser": 0, "runAsNonRoot": false}, "containers": [c("a", {"runAsUser": 0})]}
	count(check.violation) == 0 with input as t.pod_review(spec, {"runAsUser": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}})
	count(check.violation) == 0 with input as t.pod_review(spec, {})
}

test_empty_ranges_allow_nothing if {
	msgs(t.pod_review({"containers": [c("a", {"runAsUser": 1})]}, {"runAsUser": {"rule": "MustRunAs"}})) == {`container "a": securityContext.runAsUser is 1; allowed ranges: none`}
}

# ---- operations and controllers ----

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [c("a", {"runAsUser": 0})]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_deployment if {
	obj := t.deployment({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", {"runAsUser": 0})]})
	count(check.violation) == 1 with input as t.review_with(obj, pss)
}

test_cronjob if {
	obj := t.cronjob({"containers": [{"name": "a"}]})
	count(check.violation) == 1 with input as t.review_with(obj, pss)
}

# ---- explicit nulls: Pod Security Admission reads them as absent ----

test_null_security_contexts_are_not_set if {
	msgs(review({"securityContext": null, "containers": [c("a", null)]})) == {`container "a": securityContext.runAsNonRoot is not set in the container or the pod; the pod or every container must set securityContext.runAsNonRoot: true`}
	count(check.violation) == 0 with input as review({"securityContext": null, "containers": [c("a", {"runAsNonRoot": true})]})
	count(check.violation) == 0 with input as review({"securityContext": {"runAsNonRoot": true}, "containers": [c("a", null)]})
}

test_null_fields_are_not_set if {
	# A null runAsNonRoot neither satisfies nor breaks the rule; a null runAsUser is no root UID.
	count(check.violation) == 0 with input as review({"securityContext": {"runAsNonRoot": true, "runAsUser": null}, "containers": [c("a", {"runAsNonRoot": null, "runAsUser": null})]})
	count(check.violation) == 1 with input as review({"securityContext": {"runAsNonRoot": null}, "containers": [c("a", {"runAsNonRoot": null})]})
}

test_null_container_value_falls_back_to_the_pod if {
	msgs(t.pod_review({"securityContext": {"fsGroup": 10, "runAsUser": 5}, "containers": [c("a", {"runAsUser": null})]}, ranged)) == {`container "a": spec.securityContext.runAsUser (from the pod) is 5; allowed ranges: 1000-2000`}
}

test_null_pod_groups_are_not_set if {
	msgs(t.pod_review({"securityContext": {"runAsUser": 1000, "fsGroup": null}, "containers": [c("a", {})]}, ranged)) == {"pod: spec.securityContext.fsGroup is not set; it must be set within the allowed ranges: 10-20"}
	p := {"supplementalGroups": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 5}]}}
	msgs(t.pod_review({"securityContext": {"supplementalGroups": null}, "containers": [c("a", {})]}, p)) == {"pod: spec.securityContext.supplementalGroups is not set; it must list groups within the allowed ranges: 1-5"}
	msgs(t.pod_review({"securityContext": null, "containers": [c("a", {})]}, p)) == {"pod: spec.securityContext.supplementalGroups is not set; it must list groups within the allowed ranges: 1-5"}
}

test_null_security_context_in_every_kind if {
	every kind in t.pod_kinds {
		count(check.violation) == 1 with input as t.review_with(t.pod_object(kind, {"securityContext": null, "containers": [c("a", null)]}), pss)
	}
}
