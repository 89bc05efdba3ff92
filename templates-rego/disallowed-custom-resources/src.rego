# D8DisallowedCustomResources: no container sets a resource whose name matches a disallowed
# pattern. OperationPolicy disallowedCustomResources.
#
# Patterns are RE2 regular expressions applied as written, not anchored (Gatekeeper's
# regex.match, as in the reference): "nvidia.com/*" matches "nvidia.com/gpu", and so does
# "nvidia" alone; anchor with ^...$ to match a name exactly. The names are read from both
# resources.limits and resources.requests: a Pod's extended-resource request defaults to its
# limit, but a controller's pod template may carry only the limit. Every container is read
# (regular, init; ephemeral containers cannot have resources).
#
# A pattern that is not a valid regular expression cannot be evaluated; rather than let a resource
# it might match through, every resource name no valid pattern matches is reported as not
# checkable (the policy must be fixed).
package d8.disallowed_custom_resources

import data.lib.pods
import data.lib.review

patterns := review.value(input, ["parameters", "resourcePatterns"], [])

valid_patterns := [p | some p in patterns; regex.is_valid(p)]

invalid_patterns := sort([p | some p in patterns; not regex.is_valid(p)])

sections := ["limits", "requests"]

# Resource names the container sets, each with the sections that set it.
resource_names(c) := {name |
	some section in sections
	some name, _ in review.value(c, ["resources", section], {})
}

fields(c, name) := [sprintf("resources.%s", [section]) |
	some section in sections
	review.value(c, ["resources", section, name], null) != null
]

matching(name) := sort({p | some p in valid_patterns; regex.match(p, name)})

quoted(xs) := concat(", ", [sprintf("%q", [x]) | some x in xs])

violation contains {"msg": msg, "details": {"field": fields(ctr.container, name), "actual": name, "disallowed": matched}} if {
	review.reviewed
	some ctr in pods.containers
	some name in resource_names(ctr.container)
	matched := matching(name)
	count(matched) > 0
	msg := sprintf("%s: resource %q is requested; resources matching [%s] are not allowed", [pods.label(ctr), name, quoted(matched)])
}

violation contains {"msg": msg, "details": {"field": fields(ctr.container, name), "actual": name, "invalid": invalid_patterns}} if {
	review.reviewed
	count(invalid_patterns) > 0
	some ctr in pods.containers
	some name in resource_names(ctr.container)
	count(matching(name)) == 0
	msg := sprintf("%s: resource %q cannot be checked: disallowed resource pattern(s) [%s] are not valid regular expressions; fix the policy", [pods.label(ctr), name, quoted(invalid_patterns)])
}
