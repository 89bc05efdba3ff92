package d8.disallowed_tags_test

import data.d8.disallowed_tags as check
import data.lib.testing as t

params := {"tags": ["latest", "dev"]}

review(spec) := t.pod_review(spec, params)

ctr(name, image) := {"name": name, "image": image}

pod_with(image) := review({"containers": [ctr("app", image)]})

test_allowed_tag if {
	count(check.violation) == 0 with input as pod_with("nginx:1.25")
}

test_disallowed_tag_exact_message if {
	v := check.violation with input as pod_with("nginx:latest")
	t.msgs(v) == {`container "app": image "nginx:latest" uses the disallowed tag "latest"; disallowed tags: ["latest", "dev"]`}
}

test_untagged_means_latest_exact_message if {
	v := check.violation with input as pod_with("nginx")
	t.msgs(v) == {`container "app": image "nginx" has no tag or digest, so it means "latest"; disallowed tags: ["latest", "dev"]`}
}

test_untagged_allowed_when_latest_not_listed if {
	inp := json.patch(pod_with("nginx"), [{"op": "replace", "path": "/parameters/tags", "value": ["dev"]}])
	count(check.violation) == 0 with input as inp
}

test_registry_port_is_not_a_tag if {
	count(check.violation) == 1 with input as pod_with("registry.local:5000/team/app")
	count(check.violation) == 0 with input as pod_with("registry.local:5000/team/app:1.0")
	count(check.violation) == 1 with input as pod_with("registry.local:5000/team/app:dev")
	count(check.violation) == 0 with input as pod_with("registry.local:5000/dev/app:1.0")
}

test_digest_is_pinned if {
	count(check.violation) == 0 with input as pod_with("nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
	count(check.violation) == 0 with input as pod_with("registry.local:5000/nginx:latest@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
}

test_tag_is_case_sensitive if {
	count(check.violation) == 0 with input as pod_with("nginx:Latest")
}

test_image_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "app"}]})
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [ctr("a", "a:dev"), ctr("b", "b:1"), ctr("c", "c")]})
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({"containers": [ctr("app", "app:1")], "initContainers": [ctr("init", "busybox:dev")]})
	t.msgs(v) == {`initContainer "init": image "busybox:dev" uses the disallowed tag "dev"; disallowed tags: ["latest", "dev"]`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ctr("app", "app:1")], "ephemeralContainers": [ctr("dbg", "busybox")]})
	{x.details.actual | some x in v} == {"busybox"}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(pod_with("nginx:latest"), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [ctr("app", "nginx:latest")]})
	count(check.violation) == 1 with input as t.review_with(obj, params)
}
