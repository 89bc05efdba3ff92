package lib.exception_test

import data.lib.exception
import data.lib.spe_testing as st

spec := {"containers": [{"name": "app"}, {"name": "side"}]}

inv := st.inventory({"pod-spe": {"network": {"hostPID": {"allowedValue": true}}}, "side-spe": {"securityContext": {"privileged": {"allowedValue": true}}}})

test_no_label_no_reference if {
	not exception.reference("app") with input as st.review(st.pod({}, spec), {})
	not exception.reference(null) with input as st.review(st.pod({}, spec), {})
}

test_pod_label_applies_to_pod_and_every_container if {
	inp := st.review(st.pod({st.pod_label: "pod-spe"}, spec), {})
	exception.reference(null) == {"name": "pod-spe", "label": st.pod_label} with input as inp
	exception.reference("app") == {"name": "pod-spe", "label": st.pod_label} with input as inp
}

test_container_label_wins_for_its_container_only if {
	inp := st.review(st.pod({st.pod_label: "pod-spe", st.container_label("side"): "side-spe"}, spec), {})
	exception.reference("side").name == "side-spe" with input as inp
	exception.reference("app").name == "pod-spe" with input as inp
	exception.reference(null).name == "pod-spe" with input as inp
}

test_container_label_alone_does_not_cover_the_pod if {
	inp := st.review(st.pod({st.container_label("side"): "side-spe"}, spec), {})
	not exception.reference(null) with input as inp
	not exception.reference("app") with input as inp
}

test_empty_label_value_is_no_reference if {
	not exception.reference("app") with input as st.review(st.pod({st.pod_label: ""}, spec), {})
}

test_controller_reads_its_pod_template_labels if {
	inp := st.review(st.deployment({st.container_label("app"): "side-spe"}, spec), {})
	exception.get("app", ["securityContext", "privileged", "allowedValue"]) == true with input as inp with data.inventory as inv
}

test_controller_own_labels_do_not_count if {
	obj := json.patch(st.deployment({}, spec), [{"op": "add", "path": "/metadata/labels", "value": {st.pod_label: "pod-spe"}}])
	not exception.reference("app") with input as st.review(obj, {})
}

test_lookup_in_object_namespace_only if {
	inp := st.review(st.pod({st.pod_label: "pod-spe"}, spec), {})
	exception.exception(null).metadata.name == "pod-spe" with input as inp with data.inventory as inv
	other := json.patch(inp, [{"op": "replace", "path": "/review/object/metadata/namespace", "value": "elsewhere"}])
	not exception.exception(null) with input as other with data.inventory as inv
}

test_request_namespace_when_object_has_none if {
	obj := json.patch(st.pod({st.pod_label: "pod-spe"}, spec), [{"op": "remove", "path": "/metadata/namespace"}])
	inp := {"review": {"operation": "CREATE", "namespace": "team", "object": obj}}
	exception.namespace == "team" with input as inp
	exception.exception(null) with input as inp with data.inventory as inv
}

test_allows_value_and_one_of if {
	i := st.inventory({"e": {"securityContext": {"privileged": {"allowedValue": true}, "procMount": {"allowedValues": ["Unmasked"]}}}})
	inp := st.review(st.pod({st.pod_label: "e"}, spec), {})
	exception.allows_value("app", ["securityContext", "privileged"], true) with input as inp with data.inventory as i
	not exception.allows_value("app", ["securityContext", "privileged"], false) with input as inp with data.inventory as i
	exception.allows_one_of("app", ["securityContext", "procMount"], "Unmasked") with input as inp with data.inventory as i
	not exception.allows_one_of("app", ["securityContext", "procMount"], "Default") with input as inp with data.inventory as i
	not exception.allows_value("app", ["network", "hostPID"], true) with input as inp with data.inventory as i
}

test_get_is_null_without_exception_or_field if {
	inp := st.review(st.pod({st.pod_label: "missing"}, spec), {})
	exception.get("app", ["securityContext"]) == null with input as inp with data.inventory as inv
	inp2 := st.review(st.pod({st.pod_label: "pod-spe"}, spec), {})
	exception.get("app", ["securityContext"]) == null with input as inp2 with data.inventory as inv
	exception.list("app", ["volumes", "types", "allowedValues"]) == [] with input as inp2 with data.inventory as inv
}

test_message_without_reference_is_unchanged if {
	exception.message("m", "app", "f", true) == "m" with input as st.review(st.pod({}, spec), {})
	exception.details({"a": 1}, "app", true) == {"a": 1} with input as st.review(st.pod({}, spec), {})
}

test_message_names_what_the_exception_allows if {
	inp := st.review(st.pod({st.pod_label: "pod-spe"}, spec), {})
	exception.message("m", "app", "network.hostPID", true) == `m; exception "pod-spe" allows network.hostPID: true` with input as inp with data.inventory as inv
	exception.message("m", "app", "volumes.types", ["nfs", "hostPath"]) == `m; exception "pod-spe" allows volumes.types: nfs, hostPath` with input as inp with data.inventory as inv
	exception.message("m", "app", "volumes.types", []) == `m; exception "pod-spe" allows volumes.types: none` with input as inp with data.inventory as inv
	exception.message("m", "app", "securityContext.privileged", null) == `m; exception "pod-spe" allows nothing for securityContext.privileged` with input as inp with data.inventory as inv
	exception.details({}, "app", true) == {"exception": {"name": "pod-spe", "label": st.pod_label, "found": true, "allowed": true}} with input as inp with data.inventory as inv
}

test_message_for_a_missing_exception if {
	inp := st.review(st.pod({st.container_label("app"): "nope"}, spec), {})
	exception.message("m", "app", "f", null) == sprintf(`m; label %s names exception "nope", which does not exist in namespace "team"`, [st.container_label("app")]) with input as inp with data.inventory as inv
	exception.details({}, "app", null) == {"exception": {"name": "nope", "label": st.container_label("app"), "found": false}} with input as inp with data.inventory as inv
}
