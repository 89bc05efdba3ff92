# SecurityPolicyException for D8AppArmor: securityContext.appArmorProfile.allowedValues (annotation
# form, exact).
package d8.apparmor_exception_test

import data.d8.apparmor as check
import data.lib.spe_testing as st

params := {"allowedProfiles": ["runtime/default", "localhost/*"]}

inv := st.inventory({"unconfined": {"securityContext": {"appArmorProfile": {"allowedValues": ["unconfined"]}}}})

unconfined := {"appArmorProfile": {"type": "Unconfined"}}

test_field_and_annotation if {
	s := {"containers": [{"name": "app", "securityContext": unconfined}, {"name": "b"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.container_label("app"): "unconfined"}, s), params) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("b"): "unconfined"}, s), params) with data.inventory as inv
	obj := json.patch(st.pod({st.container_label("b"): "unconfined"}, {"containers": [{"name": "b"}]}), [{"op": "add", "path": "/metadata/annotations", "value": {"container.apparmor.security.beta.kubernetes.io/b": "unconfined"}}])
	count(check.violation) == 0 with input as st.review(obj, params) with data.inventory as inv
}

test_pod_field_needs_pod_label_and_missing if {
	s := {"securityContext": unconfined, "containers": [{"name": "app"}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "unconfined"}, s), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.container_label("app"): "unconfined"}, s), params) with data.inventory as inv
	st.msgs(v) == {`pod: spec.securityContext.appArmorProfile is "unconfined"; allowed AppArmor profiles: runtime/default, localhost/*`}
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "gone"}, s), params) with data.inventory as inv
}

test_unset_judged_as_runtime_default if {
	p := {"allowedProfiles": ["unconfined"]}
	i := st.inventory({"rd": {"securityContext": {"appArmorProfile": {"allowedValues": ["runtime/default"]}}}})
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "rd"}, {"containers": [{"name": "app"}]}), p) with data.inventory as i
	v := check.violation with input as st.review(st.pod({st.pod_label: "unconfined"}, {"containers": [{"name": "app"}]}), p) with data.inventory as inv
	st.msgs(v) == {`container "app": no AppArmor profile is set, so it runs runtime/default; allowed AppArmor profiles: unconfined; exception "unconfined" allows securityContext.appArmorProfile: unconfined`}
}
