# D8AllowedVolumeTypes: every pod volume uses an allowed volume source type. A volume's type is
# its key other than "name"; a volume without a source counts as emptyDir, which is what the API
# server defaults it to. "*" allows every type; "none" (or an empty list) allows none.
# PSS restricted "Volume Types"; SecurityPolicy allowedVolumes.
#
# A SecurityPolicyException (pod label) allows a type listed in volumes.types.allowedValues
# (lib.exception).
package d8.allowed_volume_types

import data.lib.exception
import data.lib.pods
import data.lib.review

# Absent parameter: no type is allowed.
allowed := {t | some t in object.get(object.get(input, "parameters", {}), "volumes", [])}

# Sources the volume sets (keys with a null value set nothing).
volume_types(volume) := {k | some k, v in volume; k != "name"; v != null}

effective_types(volume) := volume_types(volume) if count(volume_types(volume)) > 0

effective_types(volume) := {"emptyDir"} if count(volume_types(volume)) == 0

type_allowed(_) if allowed["*"]

type_allowed(t) if allowed[t]

violation contains {"msg": exception.message(msg, null, "volumes.types", spe_allowed), "details": exception.details({"field": "volumes", "actual": t, "allowed": sort(allowed)}, null, spe_allowed)} if {
	review.reviewed
	some volume in pods.pod_spec.volumes
	some t in effective_types(volume)
	not type_allowed(t)
	not exception.allows_one_of(null, ["volumes", "types"], t)
	msg := sprintf("volume %q: type %s is not allowed; allowed volume types: %s", [volume.name, t, describe_allowed])
}

listed := [t | some t in sort(allowed); t != "none"]

describe_allowed := "none" if count(listed) == 0

describe_allowed := concat(", ", listed) if count(listed) > 0

spe_allowed := exception.get(null, ["volumes", "types", "allowedValues"])
