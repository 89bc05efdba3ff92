# SecurityPolicyException for D8PrivilegedContainer: securityContext.privileged.allowedValue.
package d8.privileged_container_exception_test

import data.d8.privileged_container as check
import data.lib.spe_testing as st

priv(name) := {"name": name, "securityContext": {"privileged": true}}

spec := {"containers": [{"name": "app"}, priv("side")]}

inv := st.inventory({
	"allow": {"securityContext": {"privileged": {"allowedValue": true}, "metadata": {"ticket": "SEC-1"}}},
	"deny": {"securityContext": {"privileged": {"allowedValue": false}}},
	"other": {"network": {"hostPID": {"allowedValue": true}}},
})

denied := `container "side": securityContext.privileged is true; privileged containers are not allowed`

test_pod_level_exception_allows if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "allow"}, spec), {}) with data.inventory as inv
}

test_container_level_exception_allows_its_container_only if {
	two := {"containers": [priv("app"), priv("side")]}
	v := check.violation with input as st.review(st.pod({st.container_label("side"): "allow"}, two), {}) with data.inventory as inv
	st.msgs(v) == {`container "app": securityContext.privileged is true; privileged containers are not allowed`}
}

test_container_label_wins_over_pod_label if {
	inp := st.review(st.pod({st.pod_label: "allow", st.container_label("side"): "deny"}, spec), {})
	st.msgs(check.violation) == {concat("", [denied, `; exception "deny" allows securityContext.privileged: false`])} with input as inp with data.inventory as inv
	inp2 := st.review(st.pod({st.pod_label: "deny", st.container_label("side"): "allow"}, spec), {})
	count(check.violation) == 0 with input as inp2 with data.inventory as inv
}

test_missing_exception_is_a_violation_that_says_so if {
	v := check.violation with input as st.review(st.pod({st.pod_label: "gone"}, spec), {}) with data.inventory as inv
	st.msgs(v) == {concat("", [denied, `; label security.deckhouse.io/security-policy-exception names exception "gone", which does not exist in namespace "team"`])}
	some x in v
	x.details.exception == {"name": "gone", "label": st.pod_label, "found": false}
}

test_exception_without_the_field_allows_nothing if {
	v := check.violation with input as st.review(st.pod({st.pod_label: "other"}, spec), {}) with data.inventory as inv
	st.msgs(v) == {concat("", [denied, `; exception "other" allows nothing for securityContext.privileged`])}
}

test_exception_in_another_namespace_does_not_count if {
	obj := json.patch(st.pod({st.pod_label: "allow"}, spec), [{"op": "replace", "path": "/metadata/namespace", "value": "other-team"}])
	count(check.violation) == 1 with input as st.review(obj, {}) with data.inventory as inv
}

test_controller_pod_template_label if {
	count(check.violation) == 0 with input as st.review(st.deployment({st.container_label("side"): "allow"}, spec), {}) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.deployment({}, spec), {}) with data.inventory as inv
}

test_init_and_ephemeral_containers if {
	s := {"containers": [{"name": "app"}], "initContainers": [priv("init")], "ephemeralContainers": [priv("dbg")]}
	v := check.violation with input as st.review(st.pod({st.container_label("init"): "allow"}, s), {}) with data.inventory as inv
	st.msgs(v) == {`ephemeralContainer "dbg": securityContext.privileged is true; privileged containers are not allowed`}
}
