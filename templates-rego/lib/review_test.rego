package lib.review_test

import data.lib.review
import data.lib.testing as t

deployment := {"kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"a": "1"}}, "spec": {"template": {"metadata": {"labels": {"pod": "x"}}}}}

test_reviewed_unless_delete if {
	review.reviewed with input as t.review(deployment)
	review.reviewed with input as t.as_operation(t.review(deployment), "UPDATE")
	review.reviewed with input as t.as_operation(t.review(deployment), "CONNECT")
	not review.reviewed with input as t.as_operation(t.review(deployment), "DELETE")
}

test_reviewed_without_operation if {
	review.reviewed with input as {"review": {"object": deployment}}
}

test_own_labels_and_annotations_not_the_template_ones if {
	review.labels == {"app": "web"} with input as t.review(deployment)
	review.annotations == {"a": "1"} with input as t.review(deployment)
	review.metadata.name == "web" with input as t.review(deployment)
}

test_labels_and_annotations_absent_or_null_are_empty if {
	every metadata in [{"name": "n"}, {"name": "n", "labels": null, "annotations": null}] {
		review.labels == {} with input as t.review({"kind": "ConfigMap", "metadata": metadata})
		review.annotations == {} with input as t.review({"kind": "ConfigMap", "metadata": metadata})
	}
	every obj in [{"kind": "ConfigMap"}, {"kind": "ConfigMap", "metadata": null}] {
		review.metadata == {} with input as t.review(obj)
		review.labels == {} with input as t.review(obj)
	}
}

test_object_name_and_label if {
	review.object_name == "web" with input as t.review(deployment)
	review.object_label == `Deployment "web"` with input as t.review(deployment)
	review.object_label == `Pod "web-"` with input as t.review({"kind": "Pod", "metadata": {"generateName": "web-"}})
	review.object_label == `Pod ""` with input as t.review({"kind": "Pod", "metadata": {}})
}

test_value_reads_like_object_get if {
	review.value({"a": 1}, "a", 0) == 1
	review.value({"a": {"b": false}}, ["a", "b"], true) == false
	review.value({"a": ""}, "a", "x") == ""
	review.value({}, "a", 0) == 0
	review.value({"a": {}}, ["a", "b"], 0) == 0
}

test_value_reads_null_as_absent if {
	review.value({"a": null}, "a", 0) == 0
	review.value({"a": null}, ["a", "b"], 0) == 0
	review.value({"a": {"b": null}}, ["a", "b"], []) == []
}

test_value_of_a_non_object_is_the_fallback if {
	review.value(null, "a", {}) == {}
	review.value("text", "a", {}) == {}
	review.value([1], "a", {}) == {}
}

# ---- Pod UPDATE that changes only metadata (as Pod Security Admission) ---------------------------

old_pod := {"kind": "Pod", "metadata": {"name": "p", "labels": {"app": "a"}, "finalizers": ["example.com/keep"], "annotations": {"note": "x", "seccomp.security.alpha.kubernetes.io/pod": "runtime/default", "container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}}, "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}}

update(new, old) := {"review": {"operation": "UPDATE", "object": new, "oldObject": old}}

test_pod_update_of_other_metadata_is_not_reviewed if {
	every patch in [
		[{"op": "remove", "path": "/metadata/finalizers"}],
		[{"op": "replace", "path": "/metadata/labels", "value": {"app": "b"}}],
		[{"op": "remove", "path": "/metadata/labels"}],
		[{"op": "replace", "path": "/metadata/annotations/note", "value": "y"}],
		[{"op": "add", "path": "/metadata/ownerReferences", "value": [{"kind": "ReplicaSet", "name": "r"}]}],
		[{"op": "add", "path": "/metadata/resourceVersion", "value": "2"}],
		[],
	] {
		review.judged with input as update(json.patch(old_pod, patch), old_pod)
		not review.reviewed with input as update(json.patch(old_pod, patch), old_pod)
	}
}

test_pod_update_of_spec_or_security_annotations_is_reviewed if {
	every patch in [
		[{"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:2"}],
		[{"op": "add", "path": "/spec/activeDeadlineSeconds", "value": 5}],
		[{"op": "add", "path": "/spec/ephemeralContainers", "value": [{"name": "dbg", "image": "busybox"}]}],
		[{"op": "replace", "path": "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod", "value": "unconfined"}],
		[{"op": "remove", "path": "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"}],
		[{"op": "add", "path": "/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1app", "value": "unconfined"}],
		[{"op": "remove", "path": "/metadata/annotations"}],
	] {
		review.reviewed with input as update(json.patch(old_pod, patch), old_pod)
	}
}

test_update_is_reviewed_for_controllers_and_without_old_object if {
	relabelled := json.patch(deployment, [{"op": "replace", "path": "/metadata/labels", "value": {"app": "other"}}])
	review.reviewed with input as update(relabelled, deployment)
	review.reviewed with input as update(deployment, deployment)
	review.reviewed with input as t.as_operation(t.review(old_pod), "UPDATE")
	review.reviewed with input as update(old_pod, null)
}

test_delete_is_neither_judged_nor_reviewed if {
	not review.judged with input as t.as_operation(t.review(old_pod), "DELETE")
	not review.reviewed with input as {"review": {"operation": "DELETE", "object": old_pod, "oldObject": old_pod}}
}
