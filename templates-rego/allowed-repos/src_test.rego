package d8.allowed_repos_test

import data.d8.allowed_repos as check
import data.lib.testing as t

params := {"repos": ["registry.example.com/", "docker.io/library/"]}

review(spec) := t.pod_review(spec, params)

ctr(name, image) := {"name": name, "image": image}

test_allowed_image if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "registry.example.com/team/app:1.0"), ctr("b", "docker.io/library/nginx")]})
}

test_disallowed_image_exact_message if {
	v := check.violation with input as review({"containers": [ctr("app", "evil.io/app:1")]})
	t.msgs(v) == {`container "app": image "evil.io/app:1" is not from an allowed repository; allowed repos: ["registry.example.com/", "docker.io/library/"]`}
}

test_plain_prefix_without_slash_is_not_pinned_to_a_registry if {
	inp := json.patch(review({"containers": [ctr("app", "registry.example.com.evil.io/app")]}), [{"op": "replace", "path": "/parameters/repos", "value": ["registry.example.com"]}])
	count(check.violation) == 0 with input as inp
	count(check.violation) == 1 with input as review({"containers": [ctr("app", "registry.example.com.evil.io/app")]})
}

test_image_absent_is_reported if {
	v := check.violation with input as review({"containers": [{"name": "app"}]})
	t.msgs(v) == {`container "app": image "" is not from an allowed repository; allowed repos: ["registry.example.com/", "docker.io/library/"]`}
}

test_multi_container_reports_each if {
	v := check.violation with input as review({"containers": [ctr("a", "evil.io/a"), ctr("b", "registry.example.com/b"), ctr("c", "nginx")]})
	count(v) == 2
}

test_init_container if {
	v := check.violation with input as review({"containers": [ctr("a", "registry.example.com/a")], "initContainers": [ctr("init", "busybox")]})
	t.msgs(v) == {`initContainer "init": image "busybox" is not from an allowed repository; allowed repos: ["registry.example.com/", "docker.io/library/"]`}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ctr("a", "registry.example.com/a")], "ephemeralContainers": [ctr("dbg", "evil.io/debug")]})
	{x.details.actual | some x in v} == {"evil.io/debug"}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [ctr("app", "evil.io/app")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [ctr("app", "evil.io/app")]})
	count(check.violation) == 1 with input as t.review_with(obj, params)
}

test_cronjob if {
	obj := t.cronjob({"containers": [ctr("app", "registry.example.com/app")]})
	count(check.violation) == 0 with input as t.review_with(obj, params)
}
