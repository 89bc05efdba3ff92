# D8StorageClass: a PersistentVolumeClaim's spec.storageClassName is one of the allowed classes.
# OperationPolicy storageClassNames.
#
# An absent spec.storageClassName is a violation: the DefaultStorageClass admission plugin runs
# before validating webhooks and has already filled it in when the cluster has a default class, so
# a claim that still has none would bind without any class. An explicit "" (static binding to a
# class-less PersistentVolume) is a value like any other: allowed only when "" is listed.
package d8.storage_class

import data.lib.review

# Absent parameter: nothing is allowed.
allowed_classes := object.get(object.get(input, "parameters", {}), "storageClassNames", [])

allowed := concat(", ", [sprintf("%q", [c]) | some c in allowed_classes])

violation contains {"msg": msg, "details": {"field": "spec.storageClassName", "actual": cls, "allowed": allowed_classes}} if {
	review.reviewed
	input.review.object.kind == "PersistentVolumeClaim"
	cls := object.get(input.review.object, ["spec", "storageClassName"], null)
	not cls in allowed_classes
	msg := sprintf("%s: spec.storageClassName is %s; allowed storage classes: [%s]", [review.object_label, describe(cls), allowed])
}

describe(v) := "not set" if v == null

describe(v) := sprintf("%q", [v]) if v != null
