# Shared helpers for the SecurityPolicyException unit tests (lib.exception and the checks that
# consult it): labelled objects in a namespace and the Gatekeeper inventory holding exceptions.
# Import as `import data.lib.spe_testing as st`. Like lib.testing, never shipped (name ends in
# _test.rego) and holds no tests of its own.
package lib.spe_testing

pod_label := "security.deckhouse.io/security-policy-exception"

# The container-level label key for a container.
container_label(name) := concat("", ["security.deckhouse.io/security-policy-exception.container.", name])

# A Pod "p" in namespace "team" with labels and spec.
pod(labels, spec) := {"kind": "Pod", "metadata": {"name": "p", "namespace": "team", "labels": labels}, "spec": spec}

# A Deployment "d" in namespace "team" whose pod template carries labels (the Deployment's own
# labels stay empty: only the template's count).
deployment(labels, spec) := {"kind": "Deployment", "metadata": {"name": "d", "namespace": "team"}, "spec": {"template": {"metadata": {"labels": labels}, "spec": spec}}}

# A CREATE review of obj with constraint parameters.
review(obj, params) := {"review": {"operation": "CREATE", "object": obj}, "parameters": params}

# Gatekeeper's inventory with exceptions ({name: spec}) in namespace "team".
inventory(exceptions) := {"namespace": {"team": {"deckhouse.io/v1alpha1": {"SecurityPolicyException": {name: {
	"apiVersion": "deckhouse.io/v1alpha1",
	"kind": "SecurityPolicyException",
	"metadata": {"name": name, "namespace": "team"},
	"spec": spec,
} | some name, spec in exceptions}}}}}

msgs(violations) := {v.msg | some v in violations}
