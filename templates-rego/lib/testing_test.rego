# Shared helpers for the opa unit tests: admission review inputs and the objects in them, built
# one way everywhere. Import as `import data.lib.testing as t`.
#
# The file name ends in _test.rego on purpose: the asset loader (src/cli/assets.ts) skips such
# files, so this module can never be shipped in a template, while `opa test templates-rego` loads
# it with everything else. It holds no tests of its own (its helpers are exercised by every test
# that uses them).
package lib.testing

# ---- objects ------------------------------------------------------------------------------------

# A Pod named "p" with the given spec.
pod(spec) := {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}

# Kinds whose pod template lives at spec.template (as lib.pods reads them).
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

# Every kind lib.pods finds a pod spec in, Pod included: run one case through all of them.
pod_kinds := template_kinds | {"Pod", "CronJob", "PodTemplate"}

# A pod controller (or PodTemplate) named `name` carrying spec as its pod template's spec, where
# its kind keeps it.
controller(kind, name, spec) := {"kind": kind, "metadata": {"name": name}, "spec": {"template": {"spec": spec}}} if {
	template_kinds[kind]
}

controller("CronJob", name, spec) := {"kind": "CronJob", "metadata": {"name": name}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

controller("PodTemplate", name, spec) := {"kind": "PodTemplate", "metadata": {"name": name}, "template": {"spec": spec}}

deployment(spec) := controller("Deployment", "d", spec)

cronjob(spec) := controller("CronJob", "c", spec)

# The object of any kind in pod_kinds carrying spec as its pod spec, named "p".
pod_object("Pod", spec) := pod(spec)

pod_object(kind, spec) := controller(kind, "p", spec) if kind != "Pod"

# A container with a securityContext (which may be null).
container(name, security_context) := {"name": name, "securityContext": security_context}

# ---- review inputs ------------------------------------------------------------------------------

# The input of a CREATE review of obj by a constraint without parameters.
review(obj) := {"review": {"operation": "CREATE", "object": obj}}

# The same with the constraint's parameters.
review_with(obj, params) := object.union(review(obj), {"parameters": params})

# A CREATE review of a Pod (pod(spec)) with parameters: the most common input.
pod_review(spec, params) := review_with(pod(spec), params)

# The same input with another operation ("DELETE", "UPDATE", ...).
as_operation(inp, op) := json.patch(inp, [{"op": "replace", "path": "/review/operation", "value": op}])

# ---- assertions ---------------------------------------------------------------------------------

# The messages of a set of violations.
msgs(violations) := {v.msg | some v in violations}
