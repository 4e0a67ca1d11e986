// Package trace is rawkit's path engine, behind `rawkit traceroute`: a
// [Path] sends UDP, ICMP echo or TCP SYN probes for many TTLs (IPv6: hop
// limits) at once, matches the ICMP time exceeded and destination
// unreachable errors that quote them (icmp.ParseErrorFor and icmp.Quote,
// as the echo engine matches its errors), and reports hops in order.
//
// In Paris mode, the default, every probe of a trace has the same flow
// fields, so that load balancers keep it on one path; each probe carries
// its identity in a field routers neither hash nor rewrite (the UDP
// checksum, the ICMP sequence number, the TCP sequence number). Probes
// are whole IPv4 packets on a header-included raw socket, or whole IPv6
// packets (hop limit per probe, one flow label per trace) sent with
// IPV6_HDRINCL. The kernel fragments neither, so a probe larger than the
// outgoing interface's MTU is fragmented by the engine, or with
// DontFragment answered at once as refused (!F-MTU), as the kernel
// treats traceroute's.
//
// The package never prints: hops and answers go to the callbacks of
// [Events], and a run returns a [Summary]. Inside it,
// golang.org/x/net/icmp is imported as xicmp.
package trace
