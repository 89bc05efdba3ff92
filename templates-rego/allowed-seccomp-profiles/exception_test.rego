# SecurityPolicyException for D8AllowedSeccompProfiles: securityContext.seccompProfile.allowedValues.
package d8.allowed_seccomp_profiles_exception_test

import data.d8.allowed_seccomp_profiles as check
import data.lib.spe_testing as st

restricted := {"allowedProfiles": ["RuntimeDefault", "Localhost"], "allowedLocalhostFiles": ["allowed/*"]}

inv := st.inventory({
	"unconfined": {"securityContext": {"seccompProfile": {"allowedValues": ["Unconfined"]}}},
	"file": {"securityContext": {"seccompProfile": {"allowedValues": ["localhost/custom.json"]}}},
	"unset": {"securityContext": {"seccompProfile": {"allowedValues": ["undefined"]}}},
})

sc(p) := {"seccompProfile": p}

test_unconfined_container if {
	s := {"containers": [{"name": "app", "securityContext": sc({"type": "Unconfined"})}, {"name": "b", "securityContext": sc({"type": "RuntimeDefault"})}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("app"): "unconfined"}, s), restricted) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("b"): "unconfined"}, s), restricted) with data.inventory as inv
}

test_localhost_exact_file if {
	s := {"containers": [{"name": "app", "securityContext": sc({"type": "Localhost", "localhostProfile": "custom.json"})}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "file"}, s), restricted) with data.inventory as inv
	s2 := {"containers": [{"name": "app", "securityContext": sc({"type": "Localhost", "localhostProfile": "custom2.json"})}]}
	v := check.violation with input as st.review(st.pod({st.pod_label: "file"}, s2), restricted) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.seccompProfile is Localhost "custom2.json"; allowed seccomp profiles: RuntimeDefault, Localhost; allowed localhost files: allowed/*; exception "file" allows securityContext.seccompProfile: localhost/custom.json`}
}

test_unset_and_missing if {
	s := {"containers": [{"name": "app"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "unset"}, s), restricted) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "gone"}, s), restricted) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "unconfined"}, s), restricted) with data.inventory as inv
}

test_pod_field_reads_pod_label if {
	s := {"securityContext": sc({"type": "Unconfined"}), "containers": [{"name": "app", "securityContext": sc({"type": "RuntimeDefault"})}]}
	count(check.violation) == 0 with input as st.review(st.deployment({st.pod_label: "unconfined"}, s), restricted) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.deployment({st.container_label("app"): "unconfined"}, s), restricted) with data.inventory as inv
}
