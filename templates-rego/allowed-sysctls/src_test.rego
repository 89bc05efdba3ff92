package d8.allowed_sysctls_test

import data.d8.allowed_sysctls as check
import data.lib.testing as t

baseline_sysctls := [
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
	"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
]

baseline := {"allowedSysctls": baseline_sysctls}

sysctls(names) := {"securityContext": {"sysctls": [{"name": n, "value": "1"} | some n in names]}, "containers": [{"name": "app"}]}

test_allowed if {
	count(check.violation) == 0 with input as t.pod_review(sysctls(baseline_sysctls), baseline)
}

test_field_absent if {
	count(check.violation) == 0 with input as t.pod_review({"containers": [{"name": "app"}]}, baseline)
	count(check.violation) == 0 with input as t.pod_review({"securityContext": {}, "containers": [{"name": "app"}]}, baseline)
}

test_not_allowed_message if {
	v := check.violation with input as t.pod_review(sysctls(["othersysctl"]), {"allowedSysctls": ["kernel.shm_rmid_forced", "net.*"]})
	t.msgs(v) == {"pod: spec.securityContext.sysctls has othersysctl; allowed sysctls: kernel.shm_rmid_forced, net.*"}
}

test_slash_spelling_is_not_the_allowed_name if {
	count(check.violation) == 1 with input as t.pod_review(sysctls(["net/ipv4/tcp_syncookies"]), baseline)
}

test_each_name_reported if {
	v := check.violation with input as t.pod_review(sysctls(["a.b", "net.ipv4.tcp_rmem", "c.d"]), baseline)
	count(v) == 2
}

test_star_and_prefix if {
	count(check.violation) == 0 with input as t.pod_review(sysctls(["kernel.msgmax", "fs.mqueue.x"]), {"allowedSysctls": ["*"]})
	count(check.violation) == 0 with input as t.pod_review(sysctls(["kernel.msgmax", "kernel.msgmni"]), {"allowedSysctls": ["kernel.msg*"]})
	count(check.violation) == 1 with input as t.pod_review(sysctls(["kernel.sem"]), {"allowedSysctls": ["kernel.msg*"]})
}

test_forbidden_wins if {
	v := check.violation with input as t.pod_review(sysctls(["kernel.msgmax", "net.core.somaxconn"]), {"allowedSysctls": ["*"], "forbiddenSysctls": ["kernel.msg*"]})
	t.msgs(v) == {"pod: spec.securityContext.sysctls has kernel.msgmax; forbidden sysctls: kernel.msg*"}
}

test_forbidden_catches_slash_spelling if {
	count(check.violation) == 1 with input as t.pod_review(sysctls(["kernel/msgmax"]), {"forbiddenSysctls": ["kernel.msgmax"]})
	count(check.violation) == 1 with input as t.pod_review(sysctls(["net/ipv4/conf/eth0.100/forwarding"]), {"forbiddenSysctls": ["net.ipv4.conf.eth0/100.forwarding"]})
}

test_forbidden_only_allows_the_rest if {
	count(check.violation) == 0 with input as t.pod_review(sysctls(["net.core.somaxconn"]), {"forbiddenSysctls": ["kernel.*"]})
}

test_empty_allow_list_allows_nothing if {
	v := check.violation with input as t.pod_review(sysctls(["kernel.shm_rmid_forced"]), {"allowedSysctls": []})
	t.msgs(v) == {"pod: spec.securityContext.sysctls has kernel.shm_rmid_forced; allowed sysctls: none"}
}

test_delete_is_never_a_violation if {
	inp := t.as_operation(t.pod_review(sysctls(["bad"]), baseline), "DELETE")
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := t.deployment(sysctls(["kernel.msgmax"]))
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

test_cronjob if {
	obj := t.cronjob(sysctls(["kernel.msgmax"]))
	count(check.violation) == 1 with input as t.review_with(obj, baseline)
}

# Admission reviews can carry explicit nulls, read as absent: no sysctls.
test_null_sysctls_are_none if {
	count(check.violation) == 0 with input as t.pod_review({"securityContext": null, "containers": [{"name": "app"}]}, {"allowedSysctls": []})
	count(check.violation) == 0 with input as t.pod_review({"securityContext": {"sysctls": null}, "containers": [{"name": "app"}]}, {"allowedSysctls": []})
}
