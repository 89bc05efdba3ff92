# SecurityPolicyException lookup for pod checks: which exception a container (or the pod) references
# by label, the exception object from Gatekeeper's inventory, what it allows, and how a denial names
# it. Served to Gatekeeper as a template lib (package below data.lib), Rego v1.
#
# - Labels are the pod's own (the pod template's for controllers, as lib.pods.pod_metadata):
#   `security.deckhouse.io/security-policy-exception.container.<container>: <name>` for one container
#   wins over `security.deckhouse.io/security-policy-exception: <name>` for the whole pod. Pod-level
#   findings (hostNetwork, hostPID/IPC, volumes, sysctls, pod securityContext) read the pod label only.
# - The exception lives in the reviewed object's namespace:
#   data.inventory.namespace[<ns>]["deckhouse.io/v1alpha1"].SecurityPolicyException[<name>]; the
#   operator keeps that kind in Gatekeeper's Config sync list. An exception value never reaches Rego
#   any other way.
# - A check judges first; only a finding the policy rejects consults the exception, and only an
#   exact allowance (the check decides what "exact" is for its field) waives it. A label naming an
#   exception that does not exist waives nothing and the denial says so.
package lib.exception

import data.lib.pods
import data.lib.review

pod_label := "security.deckhouse.io/security-policy-exception"

container_label_prefix := "security.deckhouse.io/security-policy-exception.container."

api_version := "deckhouse.io/v1alpha1"

labels := review.value(pods.pod_metadata, "labels", {})

# The namespace the exception is looked up in: the object's, else the request's.
namespace := ns if {
	ns := review.metadata.namespace
	is_string(ns)
	ns != ""
} else := input.review.namespace

label_value(key) := v if {
	v := labels[key]
	is_string(v)
	v != ""
}

# The reference that applies to a container (its name) or to the pod (null):
# {"name": <exception name>, "label": <label key>}. Undefined when no label names an exception.
reference(ctr_name) := {"name": v, "label": key} if {
	is_string(ctr_name)
	key := concat("", [container_label_prefix, ctr_name])
	v := label_value(key)
} else := {"name": v, "label": pod_label} if {
	v := label_value(pod_label)
}

# The referenced exception object, undefined when no label names one or it does not exist.
exception(ctr_name) := e if {
	ref := reference(ctr_name)
	e := data.inventory.namespace[namespace][api_version].SecurityPolicyException[ref.name]
}

# The value at path (an array of keys) of the referenced exception's spec; null when no exception
# applies or it does not set that field.
get(ctr_name, path) := review.value(exception(ctr_name), array.concat(["spec"], path), null) if {
	exception(ctr_name)
} else := null

# <path>.allowedValue of the exception equals actual (booleans: privileged, hostNetwork, ...).
allows_value(ctr_name, path, actual) if {
	v := get(ctr_name, array.concat(path, ["allowedValue"]))
	v != null
	v == actual
}

# actual is one of <path>.allowedValues.
allows_one_of(ctr_name, path, actual) if {
	vs := get(ctr_name, array.concat(path, ["allowedValues"]))
	is_array(vs)
	actual in vs
}

# How a value of an exception reads in messages: lists joined, "none" for an empty list.
text(v) := "none" if {
	is_array(v)
	count(v) == 0
} else := concat(", ", [scalar_text(x) | some x in v]) if {
	is_array(v)
} else := scalar_text(v)

scalar_text(v) := v if is_string(v)

else := sprintf("%v", [v])

# The denial of a finding, with what the referenced exception allows for the field: allowed is the
# exception's value (formatted with text) or a text the check formatted; null when the exception
# does not set the field. Unchanged when no label references an exception.
message(msg, ctr_name, field, allowed) := sprintf("%s; exception %q allows %s: %s", [msg, ref.name, field, text(allowed)]) if {
	ref := reference(ctr_name)
	exception(ctr_name)
	allowed != null
} else := sprintf("%s; exception %q allows nothing for %s", [msg, ref.name, field]) if {
	ref := reference(ctr_name)
	exception(ctr_name)
} else := sprintf("%s; label %s names exception %q, which does not exist in namespace %q", [msg, ref.label, ref.name, namespace]) if {
	ref := reference(ctr_name)
} else := msg

# The finding's details plus, when a label references an exception, {name, label, found, allowed}.
details(d, ctr_name, allowed) := object.union(d, {"exception": {"name": ref.name, "label": ref.label, "found": true, "allowed": allowed}}) if {
	ref := reference(ctr_name)
	exception(ctr_name)
} else := object.union(d, {"exception": {"name": ref.name, "label": ref.label, "found": false}}) if {
	ref := reference(ctr_name)
} else := d

# The array at path of the referenced exception's spec, [] when no exception applies or it is unset.
list(ctr_name, path) := v if {
	v := get(ctr_name, path)
	is_array(v)
} else := []
