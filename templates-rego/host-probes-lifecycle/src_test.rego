package d8.host_probes_lifecycle_test

import data.d8.host_probes_lifecycle as check
import data.lib.testing as t

review(spec) := t.pod_review(spec, {})

probe_host(name, host) := {"name": name, "livenessProbe": {"httpGet": {"host": host, "port": 8080}}}

test_probes_without_host_allowed if {
	c := {
		"name": "a",
		"livenessProbe": {"httpGet": {"port": 8080, "path": "/"}},
		"readinessProbe": {"tcpSocket": {"port": 8080}},
		"startupProbe": {"exec": {"command": ["true"]}},
		"lifecycle": {"postStart": {"httpGet": {"port": 80, "host": ""}}, "preStop": {"sleep": {"seconds": 1}}},
	}
	count(check.violation) == 0 with input as review({"containers": [c]})
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "a"}]})
}

test_liveness_http_host_denied if {
	v := check.violation with input as review({"containers": [probe_host("app", "bad.host")]})
	t.msgs(v) == {`container "app": livenessProbe.httpGet.host is "bad.host"; probes and lifecycle handlers must not set a host`}
}

test_every_handler_checked if {
	c := {
		"name": "app",
		"livenessProbe": {"tcpSocket": {"host": "127.0.0.1", "port": 1}},
		"readinessProbe": {"tcpSocket": {"host": "::1", "port": 1}},
		"startupProbe": {"httpGet": {"host": "a", "port": 1}},
		"lifecycle": {"postStart": {"httpGet": {"host": "b", "port": 1}}, "preStop": {"tcpSocket": {"host": "c", "port": 1}}},
	}
	v := check.violation with input as review({"containers": [c]})
	t.msgs(v) == {
		`container "app": livenessProbe.tcpSocket.host is "127.0.0.1"; probes and lifecycle handlers must not set a host`,
		`container "app": readinessProbe.tcpSocket.host is "::1"; probes and lifecycle handlers must not set a host`,
		`container "app": startupProbe.httpGet.host is "a"; probes and lifecycle handlers must not set a host`,
		`container "app": lifecycle.postStart.httpGet.host is "b"; probes and lifecycle handlers must not set a host`,
		`container "app": lifecycle.preStop.tcpSocket.host is "c"; probes and lifecycle handlers must not set a host`,
	}
}

test_multi_container_reports_each if {
	count(check.violation) == 2 with input as review({"containers": [probe_host("a", "x"), {"name": "b"}, probe_host("c", "y")]})
}

test_restartable_init_container if {
	init := {"name": "sidecar", "restartPolicy": "Always", "readinessProbe": {"tcpSocket": {"host": "8.8.8.8", "port": 8080}}}
	v := check.violation with input as review({"containers": [{"name": "a"}], "initContainers": [init]})
	t.msgs(v) == {`initContainer "sidecar": readinessProbe.tcpSocket.host is "8.8.8.8"; probes and lifecycle handlers must not set a host`}
}

test_ephemeral_container if {
	count(check.violation) == 1 with input as review({"containers": [{"name": "a"}], "ephemeralContainers": [probe_host("dbg", "x")]})
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [probe_host("app", "x")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment({"containers": [probe_host("app", "x")]})
	count(check.violation) == 1 with input as t.review(obj)
}
