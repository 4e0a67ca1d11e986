// Package icmp holds rawkit's ICMP measurements: the echo engine behind
// `rawkit ping` and its sweeps, and the parsing of ICMP error messages and
// the datagrams they quote, which the echo and path (traceroute) engines
// share so that an error is matched to its probe in one way only.
//
// # Echo engine
//
// An [Echo] owns one socket for every target of a run. Each request is
// registered in the engine's table before it is written, and a reply is
// matched by identifier, sequence number and a per-run random token carried
// in the payload, so concurrent runs, iputils' ping and other processes on
// the host never swap replies. Sequence numbers wrap at 65535; the payload
// also carries the full 32-bit probe number, so a late reply from a previous
// wrap is never taken for a duplicate. Per-probe deadlines live on a timer
// heap rather than in a goroutine per probe. Round-trip times come from the
// kernel's receive timestamp (SO_TIMESTAMPNS) and the send time the engine
// recorded itself; nothing read back from a reply's payload is trusted for
// timing.
//
// ICMP errors (destination unreachable, time exceeded, ...) are matched to
// their probe through the datagram they quote; see [ParseError] and [Quote].
//
// # IPv6
//
// A run or a trace speaks the family of its destinations. Over IPv6 the
// echo engine sends ICMPv6 echo requests (type 128) on a raw ICMPv6 socket
// ([EchoFilter6], [EchoICMPFilter6]) or the ICMPv6 ping socket, and
// ICMPv6 errors (destination unreachable, packet too big, time exceeded,
// parameter problem) are parsed by [ParseError6], whose [Quote] walks the
// quoted datagram's extension headers; both engines match them through it
// as they match ICMP errors. Path probes are whole IPv6 packets (hop limit
// per probe, one flow label per trace) sent with IPV6_HDRINCL.
//
// On a raw socket a classic BPF program ([EchoFilter]) makes the kernel drop
// other processes' echo replies while ICMP errors still pass, as iputils
// does. On a ping socket (SOCK_DGRAM, IPPROTO_ICMP) the kernel sets the
// identifier to the socket's local port and demultiplexes replies itself.
//
// The package never prints: events go to a handler and statistics are a
// value ([Stats]) returned by a method.
//
// Inside this package golang.org/x/net/icmp is imported as xicmp.
package icmp
