# D8AllowedFlexVolumes: every flexVolume volume uses an allowed driver.
# SecurityPolicy allowedFlexVolumes ([{driver}]); an empty list forbids flexVolume volumes.
package d8.allowed_flex_volumes

import data.lib.pods
import data.lib.review

# Absent parameter: no driver is allowed.
allowed_drivers := {d.driver | some d in object.get(object.get(input, "parameters", {}), "allowedFlexVolumes", [])}

violation contains {"msg": msg, "details": {"field": "flexVolume.driver", "actual": driver, "allowed": sort(allowed_drivers)}} if {
	review.reviewed
	some volume in pods.pod_spec.volumes
	flex := volume.flexVolume
	flex != null
	driver := object.get(flex, "driver", "")
	not allowed_drivers[driver]
	msg := sprintf("volume %q: flexVolume.driver is %q; allowed flexVolume drivers: %s", [volume.name, driver, describe_allowed])
}

describe_allowed := "none" if count(allowed_drivers) == 0

describe_allowed := concat(", ", [sprintf("%q", [d]) | some d in sort(allowed_drivers)]) if count(allowed_drivers) > 0
