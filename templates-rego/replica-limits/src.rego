# D8ReplicaLimits: spec.replicas (absent = 1, as the API server defaults it) lies in at least one
# of the allowed inclusive ranges; either bound of a range may be absent. OperationPolicy
# replicaLimits (wrapped into a one-element `ranges`). Matches Deployments by default; also
# understands the other kinds whose spec.replicas defaults to 1.
package d8.replica_limits

import data.lib.review

# Absent parameter: nothing is allowed.
allowed_ranges := object.get(object.get(input, "parameters", {}), "ranges", [])

replica_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

replicas := object.get(input.review.object, ["spec", "replicas"], null)

effective := 1 if replicas == null

effective := replicas if replicas != null

violation contains {"msg": msg, "details": {"field": "spec.replicas", "actual": effective, "allowed": allowed_ranges}} if {
	review.reviewed
	replica_kinds[input.review.object.kind]
	not within_some_range(effective)
	msg := sprintf("%s: spec.replicas is %s; allowed ranges: %s", [review.object_label, describe_replicas, describe_ranges])
}

within_some_range(n) if {
	some r in allowed_ranges
	within(r, n)
}

within(r, _) if {
	not has_bound(r, "minReplicas")
	not has_bound(r, "maxReplicas")
}

within(r, n) if {
	not has_bound(r, "maxReplicas")
	n >= r.minReplicas
}

within(r, n) if {
	not has_bound(r, "minReplicas")
	n <= r.maxReplicas
}

within(r, n) if {
	n >= r.minReplicas
	n <= r.maxReplicas
}

has_bound(r, k) if object.get(r, k, null) != null

describe_replicas := sprintf("%d", [replicas]) if replicas != null

describe_replicas := "not set (defaults to 1)" if replicas == null

describe_ranges := "none" if count(allowed_ranges) == 0

describe_ranges := concat(", ", [describe_range(r) | some r in allowed_ranges]) if count(allowed_ranges) > 0

describe_range(r) := sprintf("%d-%d", [r.minReplicas, r.maxReplicas]) if {
	has_bound(r, "minReplicas")
	has_bound(r, "maxReplicas")
}

describe_range(r) := sprintf("%d or more", [r.minReplicas]) if {
	has_bound(r, "minReplicas")
	not has_bound(r, "maxReplicas")
}

describe_range(r) := sprintf("up to %d", [r.maxReplicas]) if {
	not has_bound(r, "minReplicas")
	has_bound(r, "maxReplicas")
}

describe_range(r) := "any" if {
	not has_bound(r, "minReplicas")
	not has_bound(r, "maxReplicas")
}
