# SecurityPolicyException for D8AllowedHostPaths: volumes.hostPath.allowedValues, exact path and
# readOnly (pod label).
package d8.allowed_host_paths_exception_test

import data.d8.allowed_host_paths as check
import data.lib.spe_testing as st

params := {"allowedHostPaths": []}

spec(read_only) := {"containers": [{"name": "app", "volumeMounts": [{"name": "logs", "mountPath": "/logs", "readOnly": read_only}]}], "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}]}

inv := st.inventory({
	"ro": {"volumes": {"hostPath": {"allowedValues": [{"path": "/var/log", "readOnly": true}]}}},
	"rw": {"volumes": {"hostPath": {"allowedValues": [{"path": "/var/log"}]}}},
	"prefix": {"volumes": {"hostPath": {"allowedValues": [{"path": "/var", "readOnly": false}]}}},
})

test_exact_path_read_only if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "ro"}, spec(true)), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.pod_label: "ro"}, spec(false)), params) with data.inventory as inv
	st.msgs(v) == {`volume "logs": hostPath.path is "/var/log"; hostPath volumes are not allowed; exception "ro" allows volumes.hostPath: "/var/log" (readOnly)`}
}

test_writable_entry_allows_both if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "rw"}, spec(false)), params) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "rw"}, spec(true)), params) with data.inventory as inv
}

test_path_is_exact_not_a_prefix if {
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "prefix"}, spec(true)), params) with data.inventory as inv
}

test_read_only_policy_entry_and_writable_exception if {
	p := {"allowedHostPaths": [{"pathPrefix": "/var", "readOnly": true}]}
	count(check.violation) == 1 with input as st.review(st.pod({}, spec(false)), p) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "rw"}, spec(false)), p) with data.inventory as inv
	count(check.violation) == 1 with input as st.review(st.pod({st.pod_label: "ro"}, spec(false)), p) with data.inventory as inv
}

test_container_label_does_not_cover_volumes_and_missing if {
	count(check.violation) == 1 with input as st.review(st.pod({st.container_label("app"): "rw"}, spec(false)), params) with data.inventory as inv
	v := check.violation with input as st.review(st.deployment({st.pod_label: "gone"}, spec(true)), params) with data.inventory as inv
	st.msgs(v) == {`volume "logs": hostPath.path is "/var/log"; hostPath volumes are not allowed; label security.deckhouse.io/security-policy-exception names exception "gone", which does not exist in namespace "team"`}
}
