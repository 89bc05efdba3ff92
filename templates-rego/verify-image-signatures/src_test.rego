package d8.verify_image_signatures_test

import data.d8.verify_image_signatures as check
import data.lib.testing as t

params := {
	"policy": "sigs",
	"revision": "0123456789abcdef",
	"provider": "ape-image-verifier",
	"references": [`^docker\.io/myrepo/.*$`, `^registry\.example\.com:5000/app(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?(?:@sha256:[a-f0-9]{64})?$`, `^docker\.io/library/ngin.*$`],
}

review(spec) := t.pod_review(spec, params)

ctr(name, image) := {"name": name, "image": image}

key(image) := sprintf("sigs@0123456789abcdef|%s", [image])

# Fake providers: the keys Gatekeeper sends are recorded in the answer for the assertions.
all_verified(req) := {"responses": [[k, "docker.io/x@sha256:00"] | some k in req.keys], "errors": [], "status_code": 200, "system_error": ""}

none_verified(req) := {"responses": [], "errors": [[k, "no signature verifies with the policy's keys"] | some k in req.keys], "status_code": 200, "system_error": ""}

system_failure(_) := {"responses": [], "errors": [], "status_code": 500, "system_error": "registry.example.com:5000 unreachable"}

silent(_) := {"responses": [], "errors": [], "status_code": 200, "system_error": ""}

verified_with_system_error(req) := object.union(all_verified(req), {"system_error": "one key failed"})

# Verified except the keys of images containing "bad".
mixed(req) := {
	"responses": [[k, "v"] | some k in req.keys; not contains(k, "bad")],
	"errors": [[k, "unsigned"] | some k in req.keys; contains(k, "bad")],
	"status_code": 200, "system_error": "",
}

# Refuses to be called: proves no call is made.
never(_) := x if {
	x := {"responses": [], "errors": [], "status_code": 200, "system_error": "called"}
	false
}

test_normalisation if {
	check.normalise("nginx") == "docker.io/library/nginx"
	check.normalise("nginx:1.17.2") == "docker.io/library/nginx:1.17.2"
	check.normalise("myrepo/app:1") == "docker.io/myrepo/app:1"
	check.normalise("index.docker.io/myrepo/app") == "docker.io/myrepo/app"
	check.normalise("docker.io/nginx") == "docker.io/nginx"
	check.normalise("localhost/app") == "localhost/app"
	check.normalise("registry.example.com:5000/app:v1@sha256:abc") == "registry.example.com:5000/app:v1@sha256:abc"
	check.normalise("registry.example.com:5000/app@sha256:abc") == "registry.example.com:5000/app@sha256:abc"
	check.normalise("registry.example.com:5000/team/app") == "registry.example.com:5000/team/app"
	check.normalise("localhost:5000/a/b:t") == "localhost:5000/a/b:t"
}

test_verified_image_admitted_and_keys_carry_policy_and_revision if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "myrepo/app:1")]}) with external_data as all_verified
	ks := {k | some k, _ in check.images} with input as review({"containers": [ctr("app", "myrepo/app:1")]})
	ks == {key("myrepo/app:1")}
}

test_unsigned_denied_with_the_seed_message if {
	v := check.violation with input as review({"containers": [ctr("app", "nginx:1.17.2")]}) with external_data as none_verified
	t.msgs(v) == {"Image signature verification failed: nginx:1.17.2"}
	{x.details.reason | some x in v} == {"no signature verifies with the policy's keys"}
}

test_image_outside_every_reference_is_not_sent if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", "busybox:1"), ctr("b", "registry.example.com:5000/other:1"), ctr("c", "registry.example.com:5000/app2")]}) with external_data as never
}

test_anchored_patterns_do_not_match_lookalikes if {
	count(check.images) == 0 with input as review({"containers": [ctr("a", "evil.io/docker.io/myrepo/x"), ctr("b", "registry.example.com:5000/application")]})
}

test_system_error_denies_every_unanswered_image if {
	v := check.violation with input as review({"containers": [ctr("app", "registry.example.com:5000/app:v1")]}) with external_data as system_failure
	t.msgs(v) == {
		"Image signature verification failed: registry.example.com:5000/app:v1",
		`Image signature verification failed: system error calling external data provider "ape-image-verifier": registry.example.com:5000 unreachable`,
	}
}

test_system_error_denies_even_when_every_key_is_answered if {
	v := check.violation with input as review({"containers": [ctr("app", "myrepo/app:1")]}) with external_data as verified_with_system_error
	count(v) == 1
}

test_key_without_an_item_fails_closed if {
	v := check.violation with input as review({"containers": [ctr("app", "myrepo/app:1")]}) with external_data as silent
	t.msgs(v) == {"Image signature verification failed: myrepo/app:1"}
	{x.details.reason | some x in v} == {"no verdict from the verification provider"}
}

test_multi_container_reports_each_failure if {
	v := check.violation with input as review({"containers": [ctr("a", "myrepo/bad:1"), ctr("b", "myrepo/good:1"), ctr("c", "myrepo/bad:2")]}) with external_data as mixed
	t.msgs(v) == {"Image signature verification failed: myrepo/bad:1", "Image signature verification failed: myrepo/bad:2"}
}

test_init_container if {
	v := check.violation with input as review({"containers": [ctr("a", "myrepo/good")], "initContainers": [ctr("init", "myrepo/bad")]}) with external_data as mixed
	t.msgs(v) == {"Image signature verification failed: myrepo/bad"}
}

test_ephemeral_container if {
	v := check.violation with input as review({"containers": [ctr("a", "busybox")], "ephemeralContainers": [ctr("dbg", "myrepo/bad")]}) with external_data as mixed
	t.msgs(v) == {"Image signature verification failed: myrepo/bad"}
}

test_container_without_image_is_not_sent if {
	count(check.images) == 0 with input as review({"containers": [{"name": "app"}, ctr("b", null)]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [ctr("app", "myrepo/bad")]}), "DELETE")
	count(check.violation) == 0 with input as inp with external_data as never
}

test_controllers if {
	every kind in t.pod_kinds {
		obj := t.pod_object(kind, {"containers": [ctr("app", "myrepo/bad:1")]})
		v := check.violation with input as t.review_with(obj, params) with external_data as mixed
		t.msgs(v) == {"Image signature verification failed: myrepo/bad:1"}
	}
}

test_same_image_twice_is_one_key if {
	ks := {k | some k, _ in check.images} with input as review({"containers": [ctr("a", "myrepo/x"), ctr("b", "myrepo/x")]})
	count(ks) == 1
}
