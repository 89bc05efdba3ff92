# D8DNSPolicy: a pod on the host network uses dnsPolicy ClusterFirstWithHostNet, the only policy
# that gives it cluster DNS. OperationPolicy checkHostNetworkDNSPolicy: true.
#
# An unset dnsPolicy is ClusterFirst (the API default), which a host-network pod silently turns
# into the node's resolver; it is reported. "Default" and "None" are reported too, as in the reference.
package d8.dns_policy

import data.lib.pods
import data.lib.review

required := "ClusterFirstWithHostNet"

violation contains {"msg": msg, "details": {"field": "spec.dnsPolicy", "actual": policy, "allowed": required}} if {
	review.reviewed
	pods.pod_spec.hostNetwork == true
	policy := object.get(pods.pod_spec, "dnsPolicy", null)
	policy != required
	msg := sprintf("%s: spec.hostNetwork is true and spec.dnsPolicy is %s; a host-network pod must use dnsPolicy %q", [review.object_label, describe(policy), required])
}

describe(p) := "not set (the default is \"ClusterFirst\")" if p == null

describe(p) := sprintf("%q", [p]) if p != null
