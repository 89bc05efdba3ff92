# SecurityPolicyException for D8HostNetwork: network.hostNetwork (pod label), network.hostPorts
# (port + protocol; container label first).
package d8.host_network_exception_test

import data.d8.host_network as check
import data.lib.spe_testing as st

params := {"allowHostNetwork": false, "ranges": []}

ports_spec := {"containers": [
	{"name": "app", "ports": [{"containerPort": 80, "hostPort": 8080}]},
	{"name": "dns", "ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP"}]},
]}

inv := st.inventory({
	"web": {"network": {"hostPorts": [{"port": 8080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}},
	"tcp53": {"network": {"hostPorts": [{"port": 53, "protocol": "TCP"}]}},
	"hostnet": {"network": {"hostNetwork": {"allowedValue": true}, "hostPorts": [{"port": 9100, "protocol": "TCP"}]}},
})

test_ports_with_protocol_allowed if {
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "web"}, ports_spec), params) with data.inventory as inv
}

test_protocol_must_match if {
	v := check.violation with input as st.review(st.pod({st.pod_label: "web", st.container_label("dns"): "tcp53"}, ports_spec), params) with data.inventory as inv
	st.msgs(v) == {`container "dns": ports[0].hostPort is 53; allowed host port ranges: none; exception "tcp53" allows network.hostPorts: 53/TCP`}
}

test_container_level_only_its_container if {
	v := check.violation with input as st.review(st.pod({st.container_label("app"): "web"}, ports_spec), params) with data.inventory as inv
	st.msgs(v) == {`container "dns": ports[0].hostPort is 53; allowed host port ranges: none`}
}

test_host_network_needs_pod_label if {
	s := {"hostNetwork": true, "containers": [{"name": "exporter", "ports": [{"containerPort": 9100}]}]}
	count(check.violation) == 0 with input as st.review(st.pod({st.pod_label: "hostnet"}, s), params) with data.inventory as inv
	v := check.violation with input as st.review(st.pod({st.container_label("exporter"): "hostnet"}, s), params) with data.inventory as inv
	st.msgs(v) == {`Pod "p": spec.hostNetwork is true; host network is not allowed`}
}

test_missing_exception if {
	v := check.violation with input as st.review(st.deployment({st.pod_label: "gone"}, ports_spec), params) with data.inventory as inv
	count(v) == 2
	every x in v {
		contains(x.msg, `names exception "gone", which does not exist in namespace "team"`)
	}
}
