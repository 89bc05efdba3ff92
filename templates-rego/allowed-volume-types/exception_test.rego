# SecurityPolicyException for D8AllowedVolumeTypes: volumes.types.allowedValues (pod label).
package d8.allowed_volume_types_exception_test

import data.d8.allowed_volume_types as check
import data.lib.spe_testing as st

params := {"volumes": ["configMap", "emptyDir"]}

spec := {"containers": [{"name": "app"}], "volumes": [{"name": "a", "nfs": {"server": "x", "path": "/"}}, {"name": "b", "hostPath": {"path": "/x"}}]}

inv := st.inventory({"nfs": {"volumes": {"types": {"allowedValues": ["nfs"]}}}, "both": {"volumes": {"types": {"allowedValues": ["nfs", "hostPath"]}}}})

test_exact_types if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "both"}, spec), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.pod_label: "nfs"}, spec), params) with data.inventory as inv
	st.msgs(v) == {`volume "b": type hostPath is not allowed; allowed volume types: configMap, emptyDir; exception "nfs" allows volumes.types: nfs`}
}

test_container_label_does_not_cover_volumes_and_missing if {
	count(check.violation) == 2 with input as st.review(st.pod({st.container_label("app"): "both"}, spec), params) with data.inventory as inv
	count(check.violation) == 2 with input as st.review(st.deployment({st.pod_label: "gone"}, spec), params) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.deployment({st.pod_label: "both"}, spec), params) with data.inventory as inv
}
