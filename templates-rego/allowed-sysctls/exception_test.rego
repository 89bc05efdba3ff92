# SecurityPolicyException for D8AllowedSysctls: securityContext.sysctls.allowedValues, exact name and
# value (pod label).
package d8.allowed_sysctls_exception_test

import data.d8.allowed_sysctls as check
import data.lib.spe_testing as st

params := {"allowedSysctls": ["kernel.shm_rmid_forced"], "forbiddenSysctls": ["kernel.msg*"]}

spec := {"securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}, {"name": "kernel.msgmax", "value": "65536"}]}, "containers": [{"name": "app"}]}

inv := st.inventory({
	"both": {"securityContext": {"sysctls": {"allowedValues": [{"name": "net.core.somaxconn", "value": "1024"}, {"name": "kernel.msgmax", "value": "65536"}]}}},
	"other-value": {"securityContext": {"sysctls": {"allowedValues": [{"name": "net.core.somaxconn", "value": "4096"}, {"name": "kernel.msgmax", "value": "65536"}]}}},
})

test_exact_name_and_value if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "both"}, spec), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.pod_label: "other-value"}, spec), params) with data.inventory as inv
	st.msgs(v) == {`pod: spec.securityContext.sysctls has net.core.somaxconn; allowed sysctls: kernel.shm_rmid_forced; exception "other-value" allows securityContext.sysctls: net.core.somaxconn=4096, kernel.msgmax=65536`}
}

test_pod_label_only_and_missing if {
	count(check.violation) == 2 with input as st.review(st.pod({st.container_label("app"): "both"}, spec), params) with data.inventory as inv
	count(check.violation) == 2 with input as st.review(st.pod({st.pod_label: "gone"}, spec), params) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.deployment({st.pod_label: "both"}, spec), params) with data.inventory as inv
}
