package lib.pods_test

import data.lib.pods
import data.lib.testing as t

pod := {"kind": "Pod", "metadata": {"name": "p", "annotations": {"a": "1"}}, "spec": {
	"containers": [{"name": "app"}],
	"initContainers": [{"name": "init"}],
	"ephemeralContainers": [{"name": "debug"}],
}}

test_pod_spec_of_pod if {
	pods.pod_spec == pod.spec with input as t.review(pod)
}

test_pod_spec_of_template_kinds if {
	every k in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"] {
		obj := {"kind": k, "metadata": {"name": "d"}, "spec": {"template": {"metadata": {"annotations": {"x": "y"}}, "spec": pod.spec}}}
		pods.pod_spec == pod.spec with input as t.review(obj)
		pods.pod_annotations == {"x": "y"} with input as t.review(obj)
	}
}

test_pod_spec_of_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": pod.spec}}}}}
	pods.pod_spec == pod.spec with input as t.review(obj)
	pods.pod_annotations == {} with input as t.review(obj)
}

test_pod_spec_of_podtemplate if {
	obj := {"kind": "PodTemplate", "metadata": {"name": "t"}, "template": {"spec": pod.spec}}
	pods.pod_spec == pod.spec with input as t.review(obj)
}

test_pod_spec_of_every_kind_the_test_helpers_build if {
	every kind in t.pod_kinds {
		pods.pod_spec == pod.spec with input as t.review(t.pod_object(kind, pod.spec))
	}
}

test_no_pod_spec_for_other_kinds if {
	not pods.pod_spec with input as t.review({"kind": "Service", "metadata": {"name": "s"}, "spec": {}})
}

test_containers_of_all_kinds if {
	names := {sprintf("%s/%s", [c.kind, c.name]) | some c in pods.containers} with input as t.review(pod)
	names == {"container/app", "initContainer/init", "ephemeralContainer/debug"}
}

test_regular_containers_only if {
	names := {c.name | some c in pods.regular_containers} with input as t.review(pod)
	names == {"app"}
}

test_null_container_lists_are_empty if {
	spec := {"containers": null, "initContainers": null, "ephemeralContainers": null}
	count(pods.containers) == 0 with input as t.review(t.pod(spec))
	count(pods.regular_containers) == 0 with input as t.review(t.pod(spec))
}

test_label if {
	pods.label({"kind": "initContainer", "name": "init"}) == `initContainer "init"`
}

test_annotations if {
	pods.pod_annotations == {"a": "1"} with input as t.review(pod)
}

test_annotations_absent_or_null_are_empty if {
	pods.pod_annotations == {} with input as t.review(t.pod({}))
	pods.pod_annotations == {} with input as t.review(json.patch(pod, [{"op": "replace", "path": "/metadata/annotations", "value": null}]))
	pods.pod_annotations == {} with input as t.review({"kind": "Pod", "metadata": null, "spec": {}})
	pods.pod_annotations == {} with input as t.review({"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"metadata": null, "spec": {}}}})
}

test_security_contexts if {
	spec := {"securityContext": {"runAsNonRoot": true}, "containers": [t.container("a", {"privileged": true})]}
	pods.pod_security_context == {"runAsNonRoot": true} with input as t.review(t.pod(spec))
	pods.security_context(t.container("a", {"privileged": true})) == {"privileged": true}
}

# An admission review may carry explicit nulls; Pod Security Admission reads them as absent.
test_security_contexts_absent_or_null_are_empty if {
	pods.pod_security_context == {} with input as t.review(t.pod({"containers": []}))
	pods.pod_security_context == {} with input as t.review(t.pod({"securityContext": null, "containers": []}))
	pods.security_context({"name": "a"}) == {}
	pods.security_context(t.container("a", null)) == {}
}

test_null_security_contexts_in_every_kind if {
	every kind in t.pod_kinds {
		pods.pod_security_context == {} with input as t.review(t.pod_object(kind, {"securityContext": null, "containers": []}))
	}
}

test_no_pod_security_context_without_a_pod_spec if {
	not pods.pod_security_context with input as t.review({"kind": "Service", "metadata": {"name": "s"}, "spec": {}})
}

test_windows_and_user_namespace if {
	win := object.union(pod, {"spec": {"os": {"name": "windows"}, "hostUsers": false}})
	pods.is_windows with input as t.review(win)
	pods.in_user_namespace with input as t.review(win)
	not pods.is_windows with input as t.review(pod)
	not pods.in_user_namespace with input as t.review(pod)
}

test_os_null_is_not_windows if {
	not pods.is_windows with input as t.review(t.pod({"os": null, "containers": []}))
	not pods.is_windows with input as t.review(t.pod({"os": {"name": null}, "containers": []}))
}

test_exempt_windows_needs_the_parameter_and_a_windows_pod if {
	win := {"os": {"name": "windows"}, "containers": []}
	pods.exempt_windows with input as t.pod_review(win, {"exemptWindowsPods": true})
	not pods.exempt_windows with input as t.pod_review(win, {"exemptWindowsPods": false})
	not pods.exempt_windows with input as t.pod_review(win, {})
	not pods.exempt_windows with input as t.review(t.pod(win))
	not pods.exempt_windows with input as t.pod_review({"os": {"name": "linux"}, "containers": []}, {"exemptWindowsPods": true})
	not pods.exempt_windows with input as t.pod_review({"containers": []}, {"exemptWindowsPods": true})
}

test_exempt_user_namespace_needs_the_parameter_and_host_users_false if {
	userns := {"hostUsers": false, "containers": []}
	pods.exempt_user_namespace with input as t.pod_review(userns, {"exemptUserNamespacePods": true})
	not pods.exempt_user_namespace with input as t.pod_review(userns, {"exemptUserNamespacePods": false})
	not pods.exempt_user_namespace with input as t.pod_review(userns, {})
	not pods.exempt_user_namespace with input as t.pod_review({"hostUsers": true, "containers": []}, {"exemptUserNamespacePods": true})
	not pods.exempt_user_namespace with input as t.pod_review({"hostUsers": null, "containers": []}, {"exemptUserNamespacePods": true})
}
