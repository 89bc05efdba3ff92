# D8RequiredLabels: the reviewed object's own metadata.labels carry every required key, and the
# value matches the key's allowedRegex when one is given. Works for any kind (the policy's
# watchKinds decide what is reviewed). OperationPolicy requiredLabels.
#
# allowedRegex is applied as written (RE2, regex.match): it is not anchored for the user, so
# `prod` accepts `preprod`; write `^prod$` for an exact value. An allowedRegex that is not a valid
# regular expression fails closed: every value of that label is reported.
package d8.required_labels

import data.lib.review

# Guarded by review.judged, not review.reviewed: a Pod UPDATE that changes only metadata is skipped
# by pod checks, but changing labels is exactly what this check judges.

violation contains {"msg": msg, "details": {"field": "metadata.labels", "actual": null, "allowed": req.key}} if {
	review.judged
	some req in input.parameters.labels
	not has_key(req.key)
	msg := sprintf("%s: metadata.labels has no label %q; required labels: %s", [review.object_label, req.key, required_keys])
}

violation contains {"msg": msg, "details": {"field": sprintf("metadata.labels[%q]", [req.key]), "actual": value, "allowed": req.allowedRegex}} if {
	review.judged
	some req in input.parameters.labels
	value := review.labels[req.key]
	not value_allowed(req, value)
	msg := sprintf("%s: metadata.labels[%q] is %q; %s", [review.object_label, req.key, value, regex_requirement(req.allowedRegex)])
}

regex_requirement(re) := sprintf("it must match regex %q", [re]) if regex.is_valid(re)

regex_requirement(re) := sprintf("allowedRegex %q is not a valid regular expression, so no value is accepted", [re]) if not regex.is_valid(re)

has_key(key) if _ = review.labels[key]

required_keys := concat(", ", sort({sprintf("%q", [req.key]) | some req in input.parameters.labels}))

value_allowed(req, _) if object.get(req, "allowedRegex", null) in {null, ""}

value_allowed(req, value) if {
	regex.is_valid(req.allowedRegex)
	regex.match(req.allowedRegex, value)
}
