package d8.allowed_host_paths_test

import data.d8.allowed_host_paths as check
import data.lib.testing as t

params := {"allowedHostPaths": [{"pathPrefix": "/var/log", "readOnly": true}, {"pathPrefix": "/data", "readOnly": false}]}

review(spec) := t.pod_review(spec, params)

hp(name, path) := {"name": name, "hostPath": {"path": path}}

mount(name, ro) := {"name": name, "mountPath": "/mnt", "readOnly": ro}

ctr(name, mounts) := {"name": name, "image": "nginx", "volumeMounts": mounts}

msgs(inp) := m if {
	v := check.violation with input as inp
	m := t.msgs(v)
}

test_allowed_read_only_mount if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", [mount("logs", true)])], "volumes": [hp("logs", "/var/log/app")]})
}

test_allowed_writable_prefix if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", [mount("d", false)])], "volumes": [hp("d", "/data/x")]})
}

test_no_host_path_volume if {
	count(check.violation) == 0 with input as review({"containers": [ctr("app", [])], "volumes": [{"name": "e", "emptyDir": {}}]})
}

test_no_volumes_field if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "app"}]})
}

test_path_not_allowed_message if {
	msgs(review({"containers": [ctr("app", [])], "volumes": [hp("etc", "/etc")]})) == {`volume "etc": hostPath.path is "/etc"; allowed path prefixes: "/var/log" (readOnly), "/data"`}
}

test_segment_matching if {
	every path in ["/data", "/data/", "/data/sub/dir", "//data//x", "/data/./x"] {
		count(check.violation) == 0 with input as review({"containers": [ctr("app", [])], "volumes": [hp("d", path)]})
	}
	every path in ["/database", "/dat", "/", "/data/../etc", "data2"] {
		count(check.violation) == 1 with input as review({"containers": [ctr("app", [])], "volumes": [hp("d", path)]})
	}
}

test_prefix_with_trailing_slash if {
	p := {"allowedHostPaths": [{"pathPrefix": "/foo/"}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [ctr("app", [])], "volumes": [hp("d", "/foo")]}, p)
	count(check.violation) == 1 with input as t.pod_review({"containers": [ctr("app", [])], "volumes": [hp("d", "/food")]}, p)
}

test_root_prefix_allows_everything if {
	p := {"allowedHostPaths": [{"pathPrefix": "/"}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [ctr("app", [mount("d", false)])], "volumes": [hp("d", "/etc/passwd")]}, p)
}

test_empty_list_forbids_every_host_path if {
	msgs(t.pod_review({"containers": [ctr("app", [])], "volumes": [hp("a", "/a"), {"name": "e", "emptyDir": {}}]}, {"allowedHostPaths": []})) == {`volume "a": hostPath.path is "/a"; hostPath volumes are not allowed`}
}

test_absent_parameter_forbids_every_host_path if {
	count(check.violation) == 1 with input as t.review(t.pod({"containers": [{"name": "app"}], "volumes": [hp("a", "/a")]}))
}

test_writable_mount_of_read_only_prefix_message if {
	msgs(review({"containers": [ctr("app", [mount("logs", false)])], "volumes": [hp("logs", "/var/log")]})) == {`container "app": volumeMount "/mnt" of hostPath volume "logs" (/var/log) is not readOnly; the allowed path prefixes for it are read-only: "/var/log"`}
}

test_read_only_absent_on_mount_is_a_violation if {
	count(check.violation) == 1 with input as review({"containers": [ctr("app", [{"name": "logs", "mountPath": "/l"}])], "volumes": [hp("logs", "/var/log")]})
}

test_writable_entry_among_matches_lifts_read_only if {
	p := {"allowedHostPaths": [{"pathPrefix": "/var", "readOnly": true}, {"pathPrefix": "/var/log", "readOnly": false}]}
	count(check.violation) == 0 with input as t.pod_review({"containers": [ctr("app", [mount("l", false)])], "volumes": [hp("l", "/var/log/x")]}, p)
	count(check.violation) == 1 with input as t.pod_review({"containers": [ctr("app", [mount("l", false)])], "volumes": [hp("l", "/var/lib")]}, p)
}

test_multi_container_each_writable_mount_reported if {
	spec := {"containers": [ctr("a", [mount("logs", false)]), ctr("b", [mount("logs", true)]), ctr("c", [mount("logs", false)])], "volumes": [hp("logs", "/var/log")]}
	count(check.violation) == 2 with input as review(spec)
}

test_init_container_mount if {
	spec := {"containers": [ctr("app", [mount("logs", true)])], "initContainers": [ctr("init", [mount("logs", false)])], "volumes": [hp("logs", "/var/log")]}
	v := msgs(review(spec))
	count(v) == 1
	some m in v
	startswith(m, `initContainer "init": volumeMount`)
}

test_ephemeral_container_mount if {
	spec := {"containers": [ctr("app", [])], "ephemeralContainers": [ctr("dbg", [mount("logs", false)])], "volumes": [hp("logs", "/var/log")]}
	v := msgs(review(spec))
	count(v) == 1
	some m in v
	startswith(m, `ephemeralContainer "dbg": volumeMount`)
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(review({"containers": [ctr("app", [])], "volumes": [hp("etc", "/etc")]}), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_deployment if {
	obj := t.deployment({"containers": [ctr("app", [mount("logs", false)])], "volumes": [hp("logs", "/var/log"), hp("etc", "/etc")]})
	count(check.violation) == 2 with input as t.review_with(obj, params)
}
