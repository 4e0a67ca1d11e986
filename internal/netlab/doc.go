// Package netlab builds hosts in network namespaces, for the privileged
// tests and for `rawkit lab`: pairs of hosts joined by veth, and chains of
// client, routers and server with forwarding and routes set.
//
// Its API returns errors and leaves deleting what it made to the caller
// (Close, Remove); it does not import package testing, so the rawkit
// binary does not link it. Tests use it through netlabtest
// (internal/netlab/netlabtest), which wraps each builder and impairment
// in a helper that takes a testing.TB, fails the test on error and
// removes what it made when the test ends, and holds the privileged-test
// gate (netlabtest.Privileged) and the runs as user nobody.
//
// A Host is a named namespace (ip-netns(8)). Host.Do runs Go code inside
// it: sockets opened there stay there. Host.Command and Host.Run run
// programs inside it. BuildPair, BuildChain and BuildDiamond (ECMP) build
// the usual topologies; CreateHost and ConnectHosts build others,
// Link.SetMTU narrows a link. Impairments are iptables rules: AddLoss and
// AddLossIn (statistic match), AddDuplicate (TEE target), StartDelay and
// StartDelayIn (NFQUEUE and a netlink queue listener of this package, as
// the kernel may lack netem; StartDelayIn delays on the way in, which
// `rawkit lab` gives its routers), or any AddRule.
// StartMPLSExtensions makes a router answer as an MPLS router would:
// another NFQUEUE listener rewrites the time exceeded messages it sends
// into the RFC 4884 form with an RFC 4950 label stack, which Linux never
// sends. Host.StartSniff is the tests' capture oracle: an AF_PACKET
// capture (package capture) opened inside the namespace, independent of
// the code under test, whose Stop reports an error if it missed a packet.
// CheckCapabilities tells whether the process may do all this.
//
// Every name a test makes is unique ("rk-PID-N-role", UniquePrefix) so
// that tests can run in parallel; Sweep removes the namespaces left by a
// killed test process. Traffic stays inside the namespaces: no veth end
// is ever in the caller's namespace.
//
// Every topology is dual-stack: beside each IPv4 address 10.0.k.e/24 the
// same end has fd00:0:0:k::e/64 (Host.Addr6, Chain.RouterAddr6, Hop6 and
// Unreachable6 mirror their IPv4 counterparts), and routers forward and
// route IPv6 as they do IPv4. Hosts send no router solicitations, ignore
// router advertisements, skip duplicate address detection and do not
// rate-limit ICMPv6.
package netlab
