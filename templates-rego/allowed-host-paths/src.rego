# D8AllowedHostPaths: every hostPath volume lies under an allowed path prefix, matched by path
# segments ("/foo" matches "/foo", "/foo/", "/foo/bar", not "/food"). When every prefix that
# matches requires readOnly, each mount of the volume in every container (regular, init,
# ephemeral) must set readOnly: true. An empty list forbids every hostPath volume.
# PSS baseline "HostPath Volumes" (allowedHostPaths: []); SecurityPolicy allowedHostPaths.
#
# A SecurityPolicyException (pod label) allows a hostPath volume listed in volumes.hostPath
# .allowedValues with its exact path; an entry with readOnly: true allows it only when every mount
# of the volume is read-only, readOnly: false allows writable mounts too (lib.exception).
package d8.allowed_host_paths

import data.lib.exception
import data.lib.pods
import data.lib.review

# Absent parameter: no path is allowed.
allowed := object.get(object.get(input, "parameters", {}), "allowedHostPaths", [])

host_path_volumes contains {"name": volume.name, "path": object.get(hp, "path", "")} if {
	some volume in pods.pod_spec.volumes
	hp := volume.hostPath
	hp != null
}

# Path segments, ignoring empty ones ("//", trailing "/") and ".".
segments(p) := [s | some s in split(p, "/"); s != ""; s != "."]

# A path that steps back ("..") never matches: its real location cannot be told from the text.
matches(entry, path) if {
	prefix := object.get(entry, "pathPrefix", "")
	prefix != ""
	ps := segments(prefix)
	xs := segments(path)
	not ".." in xs
	not ".." in ps
	count(ps) <= count(xs)
	array.slice(xs, 0, count(ps)) == ps
}

matching_entries(path) := [e | some e in allowed; matches(e, path)]

# Read-only is required when prefixes match and none of them allows writes.
read_only_required(path) if {
	entries := matching_entries(path)
	count(entries) > 0
	every e in entries {
		object.get(e, "readOnly", false) == true
	}
}

violation contains {"msg": exception.message(msg, null, "volumes.hostPath", spe_text), "details": exception.details({"field": "hostPath.path", "actual": vol.path, "allowed": allowed}, null, spe_allowed)} if {
	review.reviewed
	some vol in host_path_volumes
	count(matching_entries(vol.path)) == 0
	not spe_allows(vol)
	msg := sprintf("volume %q: hostPath.path is %q; %s", [vol.name, vol.path, describe_allowed])
}

violation contains {"msg": exception.message(msg, null, "volumes.hostPath", spe_text), "details": exception.details({"field": "volumeMounts.readOnly", "actual": object.get(mount, "readOnly", false), "allowed": true}, null, spe_allowed)} if {
	review.reviewed
	some vol in host_path_volumes
	read_only_required(vol.path)
	not spe_allows(vol)
	some ctr in pods.containers
	some mount in object.get(ctr.container, "volumeMounts", [])
	mount.name == vol.name
	object.get(mount, "readOnly", false) != true
	msg := sprintf("%s: volumeMount %q of hostPath volume %q (%s) is not readOnly; the allowed path prefixes for it are read-only: %s", [
		pods.label(ctr), object.get(mount, "mountPath", ""), vol.name, vol.path,
		concat(", ", [sprintf("%q", [e.pathPrefix]) | some e in matching_entries(vol.path)]),
	])
}

describe_allowed := "hostPath volumes are not allowed" if count(allowed) == 0

describe_allowed := sprintf("allowed path prefixes: %s", [concat(", ", [describe_entry(e) | some e in allowed])]) if count(allowed) > 0

describe_entry(e) := sprintf("%q (readOnly)", [object.get(e, "pathPrefix", "")]) if object.get(e, "readOnly", false) == true

describe_entry(e) := sprintf("%q", [object.get(e, "pathPrefix", "")]) if object.get(e, "readOnly", false) != true

# ---- SecurityPolicyException ------------------------------------------------------------------

spe_allowed := exception.get(null, ["volumes", "hostPath", "allowedValues"])

# Every mount of the volume, in every container, is read-only.
mounted_read_only(name) if {
	every ctr in pods.containers {
		every mount in review.value(ctr.container, "volumeMounts", []) {
			mount_read_only(mount, name)
		}
	}
}

mount_read_only(mount, name) if mount.name != name

mount_read_only(mount, name) if {
	mount.name == name
	mount.readOnly == true
}

spe_allows(vol) if {
	some e in exception.list(null, ["volumes", "hostPath", "allowedValues"])
	e.path == vol.path
	review.value(e, "readOnly", false) != true
}

spe_allows(vol) if {
	some e in exception.list(null, ["volumes", "hostPath", "allowedValues"])
	e.path == vol.path
	e.readOnly == true
	mounted_read_only(vol.name)
}

# `"/var/log" (readOnly), "/data"`, null when the exception lists no hostPath volumes.
spe_text := concat(", ", [describe_spe(e) | some e in spe_allowed]) if is_array(spe_allowed)

else := null

describe_spe(e) := sprintf("%q (readOnly)", [object.get(e, "path", "")]) if object.get(e, "readOnly", false) == true

describe_spe(e) := sprintf("%q", [object.get(e, "path", "")]) if object.get(e, "readOnly", false) != true
