# D8RequiredResources: every regular and init container sets the required resources.limits and
# resources.requests. OperationPolicy requiredResources.
#
# A request counts as set when the container sets the same resource's limit: Kubernetes defaults a
# missing request to the limit (on Pods, before admission webhooks see them), so a controller
# whose template sets only limits produces pods that pass; judging the template otherwise would
# deny a Deployment whose pods are compliant.
# Ephemeral containers are skipped: the API forbids resources on them, so they could never comply.
package d8.required_resources

import data.lib.pods
import data.lib.review

checked_containers contains ctr if {
	some ctr in pods.containers
	ctr.kind != "ephemeralContainer"
}

required(section) := object.get(input.parameters, section, [])

resources(c, section) := object.get(c, ["resources", section], {})

# Resource names of one section the container leaves unset.
missing(c, "limits") := {r |
	some r in required("limits")
	not has_value(resources(c, "limits"), r)
}

missing(c, "requests") := {r |
	some r in required("requests")
	not has_value(resources(c, "requests"), r)
	not has_value(resources(c, "limits"), r)
}

has_value(section, r) if object.get(section, r, null) != null

quoted(xs) := concat(", ", [sprintf("%q", [x]) | some x in sort(xs)])

violation contains {"msg": msg, "details": {"field": sprintf("resources.%s", [section]), "actual": sort(unset), "allowed": required(section)}} if {
	review.reviewed
	some ctr in checked_containers
	some section in ["limits", "requests"]
	unset := missing(ctr.container, section)
	count(unset) > 0
	msg := sprintf("%s: resources.%s does not set [%s]; required %s: [%s]", [pods.label(ctr), section, quoted(unset), section, quoted(required(section))])
}
