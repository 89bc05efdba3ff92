# D8ReadOnlyRootFilesystem: every container (regular, init, ephemeral) must set
# securityContext.readOnlyRootFilesystem: true. SecurityPolicy readOnlyRootFilesystem: true.
package d8.read_only_root_filesystem

import data.lib.pods
import data.lib.review

violation contains {"msg": msg, "details": {"field": "securityContext.readOnlyRootFilesystem", "actual": actual, "allowed": true}} if {
	review.reviewed
	some ctr in pods.containers
	actual := object.get(pods.security_context(ctr.container), "readOnlyRootFilesystem", null)
	actual != true
	msg := sprintf("%s: securityContext.readOnlyRootFilesystem is %s; the root filesystem must be read-only (set it to true)", [pods.label(ctr), describe(actual)])
}

describe(null) := "not set"

describe(v) := sprintf("%v", [v]) if v != null
