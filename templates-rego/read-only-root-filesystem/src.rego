# D8ReadOnlyRootFilesystem: every container (regular, init, ephemeral) must set
# securityContext.readOnlyRootFilesystem: true. SecurityPolicy readOnlyRootFilesystem: true.
# A SecurityPolicyException with securityContext.readOnlyRootFilesystem.allowedValue: false lets a
# container keep a writable root filesystem (unset is the value false; lib.exception).
package d8.read_only_root_filesystem

import data.lib.exception
import data.lib.pods
import data.lib.review

spe_path := ["securityContext", "readOnlyRootFilesystem"]

violation contains {"msg": exception.message(msg, ctr.name, "securityContext.readOnlyRootFilesystem", allowed), "details": exception.details({"field": "securityContext.readOnlyRootFilesystem", "actual": actual, "allowed": true}, ctr.name, allowed)} if {
	review.reviewed
	some ctr in pods.containers
	actual := object.get(pods.security_context(ctr.container), "readOnlyRootFilesystem", null)
	actual != true
	not exception.allows_value(ctr.name, spe_path, false)
	allowed := exception.get(ctr.name, array.concat(spe_path, ["allowedValue"]))
	msg := sprintf("%s: securityContext.readOnlyRootFilesystem is %s; the root filesystem must be read-only (set it to true)", [pods.label(ctr), describe(actual)])
}

describe(null) := "not set"

describe(v) := sprintf("%v", [v]) if v != null
