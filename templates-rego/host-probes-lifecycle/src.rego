# D8HostProbesLifecycle: probes and lifecycle handlers must not reach other hosts: no non-empty
# `host` in httpGet / tcpSocket of livenessProbe, readinessProbe, startupProbe or
# lifecycle.postStart / lifecycle.preStop, in any container (regular, init incl. restartable
# sidecars, ephemeral). PSS baseline "Host Probes / Lifecycle Hooks" (Kubernetes 1.34+).
package d8.host_probes_lifecycle

import data.lib.pods
import data.lib.review

# Where handlers live in a container, as paths.
handler_paths := [
	["livenessProbe"],
	["readinessProbe"],
	["startupProbe"],
	["lifecycle", "postStart"],
	["lifecycle", "preStop"],
]

violation contains {"msg": msg, "details": {"field": field, "actual": host, "allowed": ""}} if {
	review.reviewed
	some ctr in pods.containers
	some path in handler_paths
	some action in ["httpGet", "tcpSocket"]
	host := object.get(ctr.container, array.concat(path, [action, "host"]), "")
	is_string(host)
	host != ""
	field := concat(".", array.concat(path, [action, "host"]))
	msg := sprintf("%s: %s is %q; probes and lifecycle handlers must not set a host", [pods.label(ctr), field, host])
}
