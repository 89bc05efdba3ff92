# SecurityPolicyException for D8AllowedProcMount: securityContext.procMount.allowedValues.
package d8.allowed_proc_mount_exception_test

import data.d8.allowed_proc_mount as check
import data.lib.spe_testing as st

spec := {"containers": [{"name": "app", "securityContext": {"procMount": "Unmasked"}}, {"name": "b", "securityContext": {"procMount": "Unmasked"}}]}

inv := st.inventory({"unmasked": {"securityContext": {"procMount": {"allowedValues": ["Unmasked"]}}}, "default": {"securityContext": {"procMount": {"allowedValues": ["Default"]}}}})

test_levels_precedence_missing if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "unmasked"}, spec), {}) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "unmasked"}, spec), {}) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.pod_label: "unmasked", st.container_label("b"): "default"}, spec), {}) with data.inventory as inv
	st.msgs(v) == {`container "b": securityContext.procMount is "Unmasked"; allowed procMount types: Default; exception "default" allows securityContext.procMount: Default`}
	count(check.violation) == 2 with input as st.review(st.pod({st.pod_label: "gone"}, spec), {}) with data.inventory as inv
}
