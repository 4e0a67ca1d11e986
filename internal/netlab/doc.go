// Package netlab builds test hosts in network namespaces for privileged
// tests and for `rawkit lab`: pairs of hosts joined by veth, and chains of
// client, routers and server with forwarding and routes set.
//
// A Host is a named namespace (ip-netns(8)). Host.Do runs Go code inside
// it: sockets opened there stay there. Host.Command and Host.Run run
// programs inside it. NewPair, NewChain and NewDiamond (ECMP) build the
// usual topologies; NewHost and Connect build others, Link.SetMTU narrows
// a link. Impairments are iptables rules: Loss and LossIn (statistic
// match), Duplicate (TEE target), Delay (NFQUEUE and a netlink queue
// listener of this package, as the kernel may lack netem), or any Rule.
// MPLSExtensions makes a router answer as an MPLS router would: another
// NFQUEUE listener rewrites the time exceeded messages it sends into the
// RFC 4884 form with an RFC 4950 label stack, which Linux never sends.
// Host.Sniff is the tests' capture oracle: an AF_PACKET capture (package
// capture) opened inside the namespace, independent of the code under test,
// that fails the test if it missed a packet.
//
// Every privileged test starts with Privileged(t), which skips the test
// without the needed capabilities, or fails it when RAWKIT_PRIVILEGED=1
// (as scripts/test-privileged.sh runs the suite). RunAsNobody runs a test
// body again as user nobody, for tests of what an unprivileged user gets.
//
// For `rawkit lab`, the builders and impairments have forms that return
// errors instead of failing a test: CreateHost, ConnectHosts, BuildChain,
// BuildDiamond, AddRule, AddLoss, AddLossIn, AddDuplicate, StartDelay,
// StartDelayIn (a delay on the way in, which `rawkit lab` gives its
// routers), StartMPLSExtensions.
// Their caller deletes what it made (Close, Remove).
//
// Everything a test creates is removed in t.Cleanup, also when the test
// fails, and every name is unique ("rk-PID-N-role") so that tests can run
// in parallel; namespaces left by a killed test process are swept when the
// next one starts. Traffic stays inside the namespaces the test made: no
// veth end is ever in the caller's namespace.
//
// Every topology is dual-stack: beside each IPv4 address 10.0.k.e/24 the
// same end has fd00:0:0:k::e/64 (Host.Addr6, Chain.RouterAddr6, Hop6 and
// Unreachable6 mirror their IPv4 counterparts), and routers forward and
// route IPv6 as they do IPv4. Hosts send no router solicitations, ignore
// router advertisements, skip duplicate address detection and do not
// rate-limit ICMPv6.
package netlab
