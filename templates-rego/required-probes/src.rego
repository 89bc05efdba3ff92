# D8RequiredProbes: every regular container defines each required probe. OperationPolicy
# requiredProbes. Init containers (sidecars included) and ephemeral containers are exempt: the
# API forbids probes on ordinary init and on ephemeral containers.
package d8.required_probes

import data.lib.pods
import data.lib.review

required := concat(", ", [sprintf("%q", [p]) | some p in input.parameters.probes])

violation contains {"msg": msg, "details": {"field": probe, "actual": null, "allowed": input.parameters.probes}} if {
	review.reviewed
	some ctr in pods.regular_containers
	some probe in input.parameters.probes
	object.get(ctr.container, probe, null) == null
	msg := sprintf("%s: %s is not set; required probes: [%s]", [pods.label(ctr), probe, required])
}
