# D8WindowsHostProcess: no Windows HostProcess pods: securityContext.windowsOptions.hostProcess
# must not be true at pod level nor in any container (regular, init, ephemeral).
# PSS baseline "HostProcess". No SecurityPolicy field.
package d8.windows_host_process

import data.lib.pods
import data.lib.review

violation contains {"msg": msg, "details": {"field": "spec.securityContext.windowsOptions.hostProcess", "actual": true, "allowed": false}} if {
	review.reviewed
	host_process(pods.pod_security_context)
	msg := sprintf("%s: spec.securityContext.windowsOptions.hostProcess is true; Windows HostProcess pods are not allowed", [review.object_label])
}

violation contains {"msg": msg, "details": {"field": "securityContext.windowsOptions.hostProcess", "actual": true, "allowed": false}} if {
	review.reviewed
	some ctr in pods.containers
	host_process(pods.security_context(ctr.container))
	msg := sprintf("%s: securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed", [pods.label(ctr)])
}

host_process(sc) if sc.windowsOptions.hostProcess == true
