# SecurityPolicyException for D8AllowedUsers: securityContext.runAsNonRoot.allowedValue and
# securityContext.runAsUser.allowedValues.
package d8.allowed_users_exception_test

import data.d8.allowed_users as check
import data.lib.spe_testing as st

non_root := {"runAsUser": {"rule": "MustRunAsNonRoot"}}

inv := st.inventory({
	"root": {"securityContext": {"runAsNonRoot": {"allowedValue": false}, "runAsUser": {"allowedValues": [0]}}},
	"maybe-root": {"securityContext": {"runAsNonRoot": {"allowedValue": false}}},
	"uid-5": {"securityContext": {"runAsUser": {"allowedValues": [5]}}},
})

root_ctr(name) := {"name": name, "securityContext": {"runAsUser": 0}}

test_root_container if {
	s := {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "app"}, root_ctr("init-perms")]}
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("init-perms"): "root"}, s), non_root) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.container_label("init-perms"): "maybe-root"}, s), non_root) with data.inventory as inv
	st.msgs(v) == {`container "init-perms": securityContext.runAsUser is 0; running as root (UID 0) is not allowed; exception "maybe-root" allows nothing for securityContext.runAsUser`}
}

test_run_as_non_root_unset_or_false if {
	s := {"containers": [{"name": "app"}, {"name": "b", "securityContext": {"runAsNonRoot": false}}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "maybe-root"}, s), non_root) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "maybe-root"}, s), non_root) with data.inventory as inv
	p := {"securityContext": {"runAsNonRoot": false, "runAsUser": 0}, "containers": [{"name": "app", "securityContext": {"runAsNonRoot": true, "runAsUser": 1000}}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "root"}, p), non_root) with data.inventory as inv
	count(check.violation) == 2 with input as st.review(st.pod({st.container_label("app"): "root"}, p), non_root) with data.inventory as inv
}

test_must_run_as_range if {
	params := {"runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}, "runAsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1000, "max": 2000}]}}
	s := {"securityContext": {"runAsGroup": 1000}, "containers": [{"name": "app", "securityContext": {"runAsUser": 5}}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "uid-5"}, s), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.pod_label: "root"}, s), params) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.runAsUser is 5; allowed ranges: 1000-2000; exception "root" allows securityContext.runAsUser: 0`}
	g := {"securityContext": {"runAsGroup": 5}, "containers": [{"name": "app", "securityContext": {"runAsUser": 1000}}]}
	st.msgs(check.violation) == {`container "app": spec.securityContext.runAsGroup (from the pod) is 5; allowed ranges: 1000-2000`} with input as st.review(st.pod({st.pod_label: "uid-5"}, g), params) with data.inventory as inv
}

test_missing if {
	s := {"containers": [root_ctr("app")]}
	v := check.violation with input as st.review(st.deployment({st.pod_label: "gone"}, s), non_root) with data.inventory as inv
	count(v) == 2
}
