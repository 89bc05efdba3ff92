# SecurityPolicyException for D8ReadOnlyRootFilesystem: securityContext.readOnlyRootFilesystem.
package d8.read_only_root_filesystem_exception_test

import data.d8.read_only_root_filesystem as check
import data.lib.spe_testing as st

spec := {"containers": [{"name": "app", "securityContext": {"readOnlyRootFilesystem": true}}, {"name": "side", "securityContext": {"readOnlyRootFilesystem": false}}]}

inv := st.inventory({"writable": {"securityContext": {"readOnlyRootFilesystem": {"allowedValue": false}}}, "ro": {"securityContext": {"readOnlyRootFilesystem": {"allowedValue": true}}}})

test_pod_and_container_level if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "writable"}, spec), {}) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("side"): "writable"}, spec), {}) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "writable"}, spec), {}) with data.inventory as inv
}

test_unset_counts_as_false if {
	s := {"containers": [{"name": "side"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "writable"}, s), {}) with data.inventory as inv
}

test_value_not_allowed_precedence_missing if {
	st.msgs(check.violation) == {`container "side": securityContext.readOnlyRootFilesystem is false; the root filesystem must be read-only (set it to true); exception "ro" allows securityContext.readOnlyRootFilesystem: true`} with input as st.review(st.pod({st.pod_label: "writable", st.container_label("side"): "ro"}, spec), {}) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "gone"}, spec), {}) with data.inventory as inv
}
