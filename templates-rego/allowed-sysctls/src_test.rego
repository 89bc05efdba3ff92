package d8.allowed_sysctls_test

import data.d8.allowed_sysctls as check

baseline_sysctls := [
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
	"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
]

baseline := {"allowedSysctls": baseline_sysctls}

sysctls(names) := {"securityContext": {"sysctls": [{"name": n, "value": "1"} | some n in names]}, "containers": [{"name": "app"}]}

review(spec, params) := {"review": {"operation": "CREATE", "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec}}, "parameters": params}

msgs(v) := {x.msg | some x in v}

test_allowed if {
	count(check.violation) == 0 with input as review(sysctls(baseline_sysctls), baseline)
}

test_field_absent if {
	count(check.violation) == 0 with input as review({"containers": [{"name": "app"}]}, baseline)
	count(check.violation) == 0 with input as review({"securityContext": {}, "containers": [{"name": "app"}]}, baseline)
}

test_not_allowed_message if {
	v := check.violation with input as review(sysctls(["othersysctl"]), {"allowedSysctls": ["kernel.shm_rmid_forced", "net.*"]})
	msgs(v) == {"pod: spec.securityContext.sysctls has othersysctl; allowed sysctls: kernel.shm_rmid_forced, net.*"}
}

test_slash_spelling_is_not_the_allowed_name if {
	count(check.violation) == 1 with input as review(sysctls(["net/ipv4/tcp_syncookies"]), baseline)
}

test_each_name_reported if {
	v := check.violation with input as review(sysctls(["a.b", "net.ipv4.tcp_rmem", "c.d"]), baseline)
	count(v) == 2
}

test_star_and_prefix if {
	count(check.violation) == 0 with input as review(sysctls(["kernel.msgmax", "fs.mqueue.x"]), {"allowedSysctls": ["*"]})
	count(check.violation) == 0 with input as review(sysctls(["kernel.msgmax", "kernel.msgmni"]), {"allowedSysctls": ["kernel.msg*"]})
	count(check.violation) == 1 with input as review(sysctls(["kernel.sem"]), {"allowedSysctls": ["kernel.msg*"]})
}

test_forbidden_wins if {
	v := check.violation with input as review(sysctls(["kernel.msgmax", "net.core.somaxconn"]), {"allowedSysctls": ["*"], "forbiddenSysctls": ["kernel.msg*"]})
	msgs(v) == {"pod: spec.securityContext.sysctls has kernel.msgmax; forbidden sysctls: kernel.msg*"}
}

test_forbidden_catches_slash_spelling if {
	count(check.violation) == 1 with input as review(sysctls(["kernel/msgmax"]), {"forbiddenSysctls": ["kernel.msgmax"]})
	count(check.violation) == 1 with input as review(sysctls(["net/ipv4/conf/eth0.100/forwarding"]), {"forbiddenSysctls": ["net.ipv4.conf.eth0/100.forwarding"]})
}

test_forbidden_only_allows_the_rest if {
	count(check.violation) == 0 with input as review(sysctls(["net.core.somaxconn"]), {"forbiddenSysctls": ["kernel.*"]})
}

test_empty_allow_list_allows_nothing if {
	v := check.violation with input as review(sysctls(["kernel.shm_rmid_forced"]), {"allowedSysctls": []})
	msgs(v) == {"pod: spec.securityContext.sysctls has kernel.shm_rmid_forced; allowed sysctls: none"}
}

test_delete_is_never_a_violation if {
	inp := json.patch(review(sysctls(["bad"]), baseline), [{"op": "replace", "path": "/review/operation", "value": "DELETE"}])
	count(check.violation) == 0 with input as inp
}

test_controller if {
	obj := {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": sysctls(["kernel.msgmax"])}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": baseline}
}

test_cronjob if {
	obj := {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": sysctls(["kernel.msgmax"])}}}}}
	count(check.violation) == 1 with input as {"review": {"operation": "CREATE", "object": obj}, "parameters": baseline}
}
