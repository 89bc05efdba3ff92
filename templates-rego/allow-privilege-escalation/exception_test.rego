# SecurityPolicyException for D8AllowPrivilegeEscalation: securityContext.allowPrivilegeEscalation.
package d8.allow_privilege_escalation_exception_test

import data.d8.allow_privilege_escalation as check
import data.lib.spe_testing as st

spec := {"containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false}}, {"name": "side"}]}

inv := st.inventory({"allow": {"securityContext": {"allowPrivilegeEscalation": {"allowedValue": true}}}, "deny": {"securityContext": {"allowPrivilegeEscalation": {"allowedValue": false}}}})

test_pod_and_container_level if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "allow"}, spec), {}) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("side"): "allow"}, spec), {}) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "allow"}, spec), {}) with data.inventory as inv
}

test_explicit_true_allowed if {
	s := {"containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": true}}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "allow"}, s), {}) with data.inventory as inv
}

test_value_not_allowed if {
	st.msgs(check.violation) == {`container "side": securityContext.allowPrivilegeEscalation is not set; it must be set to false; exception "deny" allows securityContext.allowPrivilegeEscalation: false`} with input as st.review(st.pod({st.pod_label: "deny"}, spec), {}) with data.inventory as inv
}

test_precedence_and_missing if {
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "allow", st.container_label("side"): "deny"}, spec), {}) with data.inventory as inv
	v := check.violation with input as st.review(st.deployment({st.container_label("side"): "gone"}, spec), {}) with data.inventory as inv
	st.msgs(v) == {`container "side": securityContext.allowPrivilegeEscalation is not set; it must be set to false; label security.deckhouse.io/security-policy-exception.container.side names exception "gone", which does not exist in namespace "team"`}
}
