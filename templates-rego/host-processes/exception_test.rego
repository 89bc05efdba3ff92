# SecurityPolicyException for D8HostProcesses: network.hostPID, network.hostIPC (pod label only).
package d8.host_processes_exception_test

import data.d8.host_processes as check
import data.lib.spe_testing as st

spec := {"hostPID": true, "hostIPC": true, "containers": [{"name": "app"}]}

inv := st.inventory({
	"pid": {"network": {"hostPID": {"allowedValue": true}}},
	"both": {"network": {"hostPID": {"allowedValue": true}, "hostIPC": {"allowedValue": true}}},
})

test_each_namespace_needs_its_allowance if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "both"}, spec), {}) with data.inventory as inv
	st.msgs(check.violation) == {`Pod "p": spec.hostIPC is true; sharing the host IPC namespace is not allowed; exception "pid" allows nothing for network.hostIPC`} with input as st.review(st.pod({st.pod_label: "pid"}, spec), {}) with data.inventory as inv
}

test_container_label_does_not_cover_pod_fields if {
	count(check.violation) == 2 with input as st.review(st.pod({st.container_label("app"): "both"}, spec), {}) with data.inventory as inv
}

test_missing_and_controller if {
	count(check.violation) == 2 with input as st.review(st.pod({st.pod_label: "gone"}, spec), {}) with data.inventory as inv
	count(check.violation) == 0 with input as st.review(st.deployment({st.pod_label: "both"}, spec), {}) with data.inventory as inv
}
