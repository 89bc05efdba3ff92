# SecurityPolicyException for D8AllowedCapabilities: securityContext.capabilities.allowedValues
# .add (exact names) and .drop (replaces the required drops).
package d8.allowed_capabilities_exception_test

import data.d8.allowed_capabilities as check
import data.lib.spe_testing as st

restricted := {"allowedCapabilities": ["NET_BIND_SERVICE"], "requiredDropCapabilities": ["ALL"]}

ctr(name, add, drop) := {"name": name, "securityContext": {"capabilities": {"add": add, "drop": drop}}}

inv := st.inventory({
	"netadmin": {"securityContext": {"capabilities": {"allowedValues": {"add": ["NET_ADMIN"], "drop": ["all"]}}}},
	"netadmin-nodrop": {"securityContext": {"capabilities": {"allowedValues": {"add": ["NET_ADMIN", "NET_RAW"], "drop": ["NET_RAW"]}}}},
	"waive-drop": {"securityContext": {"capabilities": {"allowedValues": {"add": [], "drop": []}}}},
})

test_add_exact_names if {
	s := {"containers": [ctr("app", ["NET_ADMIN"], ["ALL"])]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "netadmin"}, s), restricted) with data.inventory as inv
	s2 := {"containers": [ctr("app", ["NET_ADMIN", "SYS_ADMIN"], ["ALL"])]}
	v := check.violation with input as st.review(st.pod({st.pod_label: "netadmin"}, s2), restricted) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.capabilities.add has SYS_ADMIN; allowed capabilities to add: NET_BIND_SERVICE; exception "netadmin" allows securityContext.capabilities.add: NET_ADMIN`}
}

test_drop_replaced_by_exception if {
	s := {"containers": [ctr("app", ["NET_ADMIN", "NET_RAW"], ["NET_RAW"])]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "netadmin-nodrop"}, s), restricted) with data.inventory as inv
	# The default drop ["all"] still needs ALL dropped.
	v := check.violation with input as st.review(st.pod({st.pod_label: "netadmin"}, {"containers": [ctr("app", ["NET_ADMIN"], [])]}), restricted) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.capabilities.drop is not set; it must drop ALL; exception "netadmin" allows securityContext.capabilities.drop: all`}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "waive-drop"}, {"containers": [ctr("app", [], [])]}), restricted) with data.inventory as inv
}

test_container_level_precedence_missing if {
	s := {"containers": [ctr("app", ["NET_ADMIN"], ["ALL"]), ctr("side", ["NET_ADMIN"], ["ALL"])]}
	v := check.violation with input as st.review(st.pod({st.container_label("side"): "netadmin"}, s), restricted) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.capabilities.add has NET_ADMIN; allowed capabilities to add: NET_BIND_SERVICE`}
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "netadmin", st.container_label("side"): "waive-drop"}, s), restricted) with data.inventory as inv
	count(check.violation) == 2 with input as st.review(st.deployment({st.pod_label: "gone"}, s), restricted) with data.inventory as inv
}
