# D8ContainerDuplicates: container names are unique among containers and, separately, among
# initContainers; env variable names are unique within each container (regular, init, ephemeral).
# OperationPolicy checkContainerDuplicates: true.
package d8.container_duplicates

import data.lib.pods
import data.lib.review

# Names used more than once in a list of named items, with their count.
duplicates(items) := {name: n |
	some item in items
	name := item.name
	n := count([x | some x in items; x.name == name])
	n > 1
}

# Container names, per list. Ephemeral containers are left to the API server, which already
# requires their names to be unique across the whole pod.
violation contains {"msg": msg, "details": {"field": sprintf("spec.%s[].name", [list]), "actual": name, "allowed": "unique names"}} if {
	review.reviewed
	some list in ["containers", "initContainers"]
	some name, n in duplicates(object.get(pods.pod_spec, list, []))
	msg := sprintf("%s: %s has duplicate name %q (%d times); container names must be unique", [review.object_label, list, name, n])
}

# Env variable names within one container.
violation contains {"msg": msg, "details": {"field": "env[].name", "actual": name, "allowed": "unique names"}} if {
	review.reviewed
	some ctr in pods.containers
	some name, n in duplicates(object.get(ctr.container, "env", []))
	msg := sprintf("%s: env has duplicate name %q (%d times); env variable names must be unique within a container", [pods.label(ctr), name, n])
}
