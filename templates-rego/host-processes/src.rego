# D8HostProcesses: spec.hostPID and spec.hostIPC are allowed only when allowHostPID /
# allowHostIPC is true (absent parameter: not allowed).
# PSS baseline "Host Namespaces" (hostPID, hostIPC); SecurityPolicy allowHostPID, allowHostIPC.
#
# A SecurityPolicyException (pod-level label) with network.hostPID / network.hostIPC allowedValue:
# true lets the pod share that namespace (lib.exception).
package d8.host_processes

import data.lib.exception
import data.lib.pods
import data.lib.review

params := object.get(input, "parameters", {})

# Pod spec field -> the parameter that allows it, and how the message names the namespace.
namespaces := {
	"hostPID": {"param": "allowHostPID", "name": "host PID namespace"},
	"hostIPC": {"param": "allowHostIPC", "name": "host IPC namespace"},
}

violation contains {"msg": exception.message(msg, null, sprintf("network.%s", [key]), allowed), "details": exception.details({"field": field, "actual": true, "allowed": false}, null, allowed)} if {
	review.reviewed
	some key, ns in namespaces
	pods.pod_spec[key] == true
	not params[ns.param] == true
	not exception.allows_value(null, ["network", key], true)
	allowed := exception.get(null, ["network", key, "allowedValue"])
	field := sprintf("spec.%s", [key])
	msg := sprintf("%s: %s is true; sharing the %s is not allowed", [review.object_label, field, ns.name])
}
