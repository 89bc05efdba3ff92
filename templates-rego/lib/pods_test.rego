package lib.pods_test

import data.lib.pods

pod := {"kind": "Pod", "metadata": {"name": "p", "annotations": {"a": "1"}}, "spec": {
	"containers": [{"name": "app"}],
	"initContainers": [{"name": "init"}],
	"ephemeralContainers": [{"name": "debug"}],
}}

review(obj) := {"review": {"operation": "CREATE", "object": obj}}

test_pod_spec_of_pod if {
	pods.pod_spec == pod.spec with input as review(pod)
}

test_pod_spec_of_template_kinds if {
	every k in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"] {
		obj := {"kind": k, "metadata": {"name": "d"}, "spec": {"template": {"metadata": {"annotations": {"x": "y"}}, "spec": pod.spec}}}
		pods.pod_spec == pod.spec with input as review(obj)
		pods.pod_annotations == {"x": "y"} with input as review(obj)
	}
}

test_pod_spec_of_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": pod.spec}}}}}
	pods.pod_spec == pod.spec with input as review(obj)
	pods.pod_annotations == {} with input as review(obj)
}

test_pod_spec_of_podtemplate if {
	obj := {"kind": "PodTemplate", "metadata": {"name": "t"}, "template": {"spec": pod.spec}}
	pods.pod_spec == pod.spec with input as review(obj)
}

test_no_pod_spec_for_other_kinds if {
	not pods.pod_spec with input as review({"kind": "Service", "metadata": {"name": "s"}, "spec": {}})
}

test_containers_of_all_kinds if {
	names := {sprintf("%s/%s", [c.kind, c.name]) | some c in pods.containers} with input as review(pod)
	names == {"container/app", "initContainer/init", "ephemeralContainer/debug"}
}

test_regular_containers_only if {
	names := {c.name | some c in pods.regular_containers} with input as review(pod)
	names == {"app"}
}

test_label if {
	pods.label({"kind": "initContainer", "name": "init"}) == `initContainer "init"`
}

test_delete_not_reviewed if {
	not pods.reviewed with input as {"review": {"operation": "DELETE", "object": pod}}
	pods.reviewed with input as review(pod)
	pods.reviewed with input as {"review": {"object": pod}}
}

test_annotations if {
	pods.pod_annotations == {"a": "1"} with input as review(pod)
}

test_windows_and_user_namespace if {
	win := object.union(pod, {"spec": {"os": {"name": "windows"}, "hostUsers": false}})
	pods.is_windows with input as review(win)
	pods.in_user_namespace with input as review(win)
	not pods.is_windows with input as review(pod)
	not pods.in_user_namespace with input as review(pod)
}
