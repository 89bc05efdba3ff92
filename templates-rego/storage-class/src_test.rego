package d8.storage_class_test

import data.d8.storage_class as check
import data.lib.testing as t

review(spec) := t.review_with(
	{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": spec},
	{"storageClassNames": ["ceph-ssd", "local"]},
)

test_allowed if {
	count(check.violation) == 0 with input as review({"storageClassName": "local", "accessModes": ["ReadWriteOnce"]})
}

test_disallowed_class if {
	v := check.violation with input as review({"storageClassName": "nfs"})
	t.msgs(v) == {`PersistentVolumeClaim "data": spec.storageClassName is "nfs"; allowed storage classes: ["ceph-ssd", "local"]`}
}

test_class_absent if {
	v := check.violation with input as review({"accessModes": ["ReadWriteOnce"]})
	t.msgs(v) == {`PersistentVolumeClaim "data": spec.storageClassName is not set; allowed storage classes: ["ceph-ssd", "local"]`}
}

test_explicit_empty_class_is_a_value if {
	v := check.violation with input as review({"storageClassName": ""})
	t.msgs(v) == {`PersistentVolumeClaim "data": spec.storageClassName is ""; allowed storage classes: ["ceph-ssd", "local"]`}
	inp := json.patch(review({"storageClassName": ""}), [{"op": "add", "path": "/parameters/storageClassNames/-", "value": ""}])
	count(check.violation) == 0 with input as inp
}

test_empty_list_allows_nothing if {
	inp := json.patch(review({"storageClassName": "local"}), [{"op": "replace", "path": "/parameters/storageClassNames", "value": []}])
	count(check.violation) == 1 with input as inp
}

test_update_checked if {
	inp := t.as_operation(review({"storageClassName": "nfs"}), "UPDATE")
	count(check.violation) == 1 with input as inp
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"storageClassName": "nfs"}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_other_kind_ignored if {
	inp := json.patch(review({"storageClassName": "nfs"}), [{"op": "replace", "path": "/review/object/kind", "value": "PersistentVolume"}])
	count(check.violation) == 0 with input as inp
}

test_parameter_absent_allows_nothing if {
	obj := {"kind": "PersistentVolumeClaim", "metadata": {"name": "data"}, "spec": {"storageClassName": "local"}}
	count(check.violation) == 1 with input as t.review(obj)
}
