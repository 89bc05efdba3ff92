# D8HostNetwork: spec.hostNetwork is allowed only with allowHostNetwork: true; when `ranges` is
# given (even empty), every host port must lie in one of its inclusive ranges.
# PSS baseline "Host Namespaces" (hostNetwork) + "Host Ports"; SecurityPolicy allowHostNetwork,
# allowedHostPorts.
#
# A port's host port is its non-zero hostPort; in a host-network pod a port without hostPort binds
# its containerPort on the node, so that is checked instead (the API server only fills hostPort in
# for Pods, not for controllers' pod templates).
#
# A SecurityPolicyException allows host network with network.hostNetwork.allowedValue: true (pod
# label) and a host port when network.hostPorts lists that port with its protocol (default TCP;
# container label first, then the pod label; lib.exception).
package d8.host_network

import data.lib.exception
import data.lib.pods
import data.lib.review

params := object.get(input, "parameters", {})

host_network if pods.pod_spec.hostNetwork == true

violation contains {"msg": exception.message(msg, null, "network.hostNetwork", allowed), "details": exception.details({"field": "spec.hostNetwork", "actual": true, "allowed": false}, null, allowed)} if {
	review.reviewed
	host_network
	not params.allowHostNetwork == true
	not exception.allows_value(null, ["network", "hostNetwork"], true)
	allowed := exception.get(null, ["network", "hostNetwork", "allowedValue"])
	msg := sprintf("%s: spec.hostNetwork is true; host network is not allowed", [review.object_label])
}

# Absent `ranges`: host ports are not checked. Present and empty: no host port is allowed.
ranges := params.ranges if is_array(params.ranges)

violation contains {"msg": exception.message(msg, ctr.name, "network.hostPorts", spe_ports_text(ctr.name)), "details": exception.details({"field": field, "actual": port, "allowed": ranges}, ctr.name, exception.get(ctr.name, ["network", "hostPorts"]))} if {
	review.reviewed
	ranges
	some ctr in pods.containers
	some i, p in object.get(ctr.container, "ports", [])
	some field_name, port in host_port(p)
	not in_some_range(port)
	not spe_port_allowed(ctr.name, port, protocol(p))
	field := sprintf("ports[%d].%s", [i, field_name])
	msg := sprintf("%s: %s is %d%s; allowed host port ranges: %s", [pods.label(ctr), field, port, why(field_name), describe_ranges])
}

# {field name: port} of the port's effective host port, empty when it binds none on the node.
host_port(p) := {"hostPort": p.hostPort} if {
	is_number(p.hostPort)
	p.hostPort != 0
}

host_port(p) := {"containerPort": p.containerPort} if {
	not has_host_port(p)
	host_network
	is_number(p.containerPort)
	p.containerPort != 0
}

has_host_port(p) if {
	is_number(p.hostPort)
	p.hostPort != 0
}

why("hostPort") := ""

why("containerPort") := " (bound on the node, as spec.hostNetwork is true)"

in_some_range(port) if {
	some r in ranges
	port >= object.get(r, "min", 0)
	port <= object.get(r, "max", 65535)
}

describe_ranges := "none" if count(ranges) == 0

describe_ranges := concat(", ", [describe_range(r) | some r in ranges]) if count(ranges) > 0

describe_range(r) := sprintf("%d-%d", [object.get(r, "min", 0), object.get(r, "max", 65535)])

protocol(p) := review.value(p, "protocol", "TCP")

spe_port_allowed(ctr_name, port, proto) if {
	some e in exception.list(ctr_name, ["network", "hostPorts"])
	e.port == port
	review.value(e, "protocol", "TCP") == proto
}

# `8080/TCP, 53/UDP`, null when the exception lists no host ports.
spe_ports_text(ctr_name) := concat(", ", [sprintf("%v/%v", [e.port, review.value(e, "protocol", "TCP")]) | some e in ports]) if {
	ports := exception.get(ctr_name, ["network", "hostPorts"])
	is_array(ports)
} else := null
