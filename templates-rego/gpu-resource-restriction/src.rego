# D8GpuResourceRestriction: a container may set GPU resources only in a namespace carrying a label.
# OperationPolicy gpuResourceRestriction.
#
# GPU resources are the names in resources.limits or resources.requests matching one of
# gpuResourcePatterns: RE2 regular expressions applied as written, not anchored (the catalog
# passes defaults when the policy names none). Every container is read (regular, init; ephemeral
# containers cannot have resources).
#
# The namespace's labels are read from Gatekeeper's inventory
# (data.inventory.cluster["v1"]["Namespace"][<ns>], which needs Namespaces synced): the reviewed
# object does not carry them. The namespace is allowed when it carries namespaceLabel.key and,
# when namespaceLabel.value is set, with that value. Fail closed:
# - a namespace missing from the inventory (sync not configured yet, cache warming after a restart,
#   a namespace created a moment ago) cannot be checked and is reported as such: a retry succeeds
#   once Gatekeeper has synced it;
# - without a namespaceLabel no namespace is allowed GPU resources;
# - a pattern that is not a valid regular expression cannot be evaluated, so every resource name
#   no valid pattern matches is reported as not checkable in a namespace that is not allowed.
package d8.gpu_resource_restriction

import data.lib.pods
import data.lib.review

patterns := review.value(input, ["parameters", "gpuResourcePatterns"], [])

valid_patterns := [p | some p in patterns; regex.is_valid(p)]

invalid_patterns := sort([p | some p in patterns; not regex.is_valid(p)])

label := review.value(input, ["parameters", "namespaceLabel"], {})

label_key := review.value(label, "key", "")

label_value := review.value(label, "value", null)

# The reviewed object's namespace (set by the API server before admission), else the request's.
namespace := ns if {
	ns := review.value(input.review.object, ["metadata", "namespace"], "")
	ns != ""
} else := review.value(input.review, "namespace", "")

namespace_object := data.inventory.cluster.v1.Namespace[namespace]

namespace_labels := review.value(namespace_object, ["metadata", "labels"], {})

namespace_allowed if {
	label_key != ""
	label_value == null
	is_string(namespace_labels[label_key])
}

namespace_allowed if {
	label_key != ""
	label_value != null
	namespace_labels[label_key] == label_value
}

# Resource names a container sets in limits or requests.
resource_names(c) := {name |
	some section in ["limits", "requests"]
	some name, _ in review.value(c, ["resources", section], {})
}

gpu_resource(name) if {
	some p in valid_patterns
	regex.match(p, name)
}

# Per container: {"who": <message label>, "names": <the GPU resources it sets, sorted>}.
gpu_resources contains {"who": pods.label(ctr), "names": names} if {
	some ctr in pods.containers
	names := sort({name | some name in resource_names(ctr.container); gpu_resource(name)})
	count(names) > 0
}

# Per container: the resources no valid pattern matches while some pattern is invalid.
unknown_resources contains {"who": pods.label(ctr), "names": names} if {
	count(invalid_patterns) > 0
	some ctr in pods.containers
	names := sort({name | some name in resource_names(ctr.container); not gpu_resource(name)})
	count(names) > 0
}

quoted(xs) := concat(", ", [sprintf("%q", [x]) | some x in xs])

required_label := label_key if label_value == null

required_label := sprintf("%s=%s", [label_key, label_value]) if label_value != null

# Why this namespace may not use GPU resources.
reason := "the policy names no namespace label, so no namespace may use them" if label_key == ""

reason := sprintf("namespace %q is not in Gatekeeper's inventory yet (Namespaces are synced), so its labels cannot be checked; retry shortly", [namespace]) if {
	label_key != ""
	not namespace_object
}

reason := sprintf("they are allowed only in namespaces labelled %q and namespace %q is not", [required_label, namespace]) if {
	label_key != ""
	namespace_object
	not namespace_allowed
}

violation contains {"msg": msg, "details": {"field": "resources", "actual": r.names, "namespace": namespace, "namespaceLabel": label}} if {
	review.reviewed
	not namespace_allowed
	some r in gpu_resources
	msg := sprintf("%s: requests GPU resources [%s]; %s", [r.who, quoted(r.names), reason])
}

violation contains {"msg": msg, "details": {"field": "resources", "actual": r.names, "invalid": invalid_patterns}} if {
	review.reviewed
	not namespace_allowed
	some r in unknown_resources
	msg := sprintf("%s: resources [%s] cannot be checked: GPU resource pattern(s) [%s] are not valid regular expressions; fix the policy", [r.who, quoted(r.names), quoted(invalid_patterns)])
}
