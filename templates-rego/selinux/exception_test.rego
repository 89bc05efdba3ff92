# SecurityPolicyException for D8SeLinux: securityContext.seLinuxOptions.allowedValues, equal field
# by field.
package d8.selinux_exception_test

import data.d8.selinux as check
import data.lib.spe_testing as st

params := {"allowedSELinuxOptions": [{"type": "container_t"}]}

spc := {"seLinuxOptions": {"type": "spc_t"}}

inv := st.inventory({
	"spc": {"securityContext": {"seLinuxOptions": {"allowedValues": [{"type": "spc_t"}]}}},
	"spc-s0": {"securityContext": {"seLinuxOptions": {"allowedValues": [{"type": "spc_t", "level": "s0"}]}}},
})

test_container_and_pod_level if {
	s := {"containers": [{"name": "app", "securityContext": spc}, {"name": "b"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("app"): "spc"}, s), params) with data.inventory as inv
	p := {"securityContext": spc, "containers": [{"name": "app"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "spc"}, p), params) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "spc"}, p), params) with data.inventory as inv
}

test_fields_must_all_equal if {
	s := {"containers": [{"name": "app", "securityContext": spc}]}
	v := check.violation with input as st.review(st.pod({st.pod_label: "spc-s0"}, s), params) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.seLinuxOptions is {type: spc_t}; allowed SELinux options: {type: container_t}; exception "spc-s0" allows securityContext.seLinuxOptions: {type: spc_t, level: s0}`}
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "gone"}, s), params) with data.inventory as inv
}
