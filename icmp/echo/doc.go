// Package echo is rawkit's echo engine: the ICMP and ICMPv6 echo runs
// behind `rawkit ping` and its sweeps, and the sockets they use.
//
// An [Engine] owns one socket for every target of a run (one per family
// with [NewSockets]). Each request is registered in the engine's table
// before it is written, and a reply is matched by identifier, sequence
// number and a per-run random [Token] carried in the payload, so
// concurrent runs, iputils' ping and other processes on the host never
// swap replies. Sequence numbers wrap at 65535; the payload also carries
// the full 32-bit probe number, so a late reply from a previous wrap is
// never taken for a duplicate. Per-probe deadlines live on a timer heap
// rather than in a goroutine per probe. Round-trip times come from the
// kernel's receive timestamp (SO_TIMESTAMPNS) and the send time the
// engine recorded itself; nothing read back from a reply's payload is
// trusted for timing.
//
// ICMP errors (destination unreachable, time exceeded, ...) are matched
// to their probe through the datagram they quote (icmp.ParseErrorFor and
// icmp.Quote), as the path engine matches them.
//
// # IPv6
//
// A run speaks the family of its destinations. Over IPv6 the engine
// sends ICMPv6 echo requests (type 128) on a raw ICMPv6 socket ([Filter6],
// [ICMPFilter6]) or the ICMPv6 ping socket.
//
// # Sockets
//
// [Listen] opens a run's socket. On a raw socket a classic BPF program
// ([Filter]) makes the kernel drop other processes' echo replies while
// ICMP errors still pass, as iputils does. On a ping socket (SOCK_DGRAM,
// IPPROTO_ICMP) the kernel sets the identifier to the socket's local port
// and demultiplexes replies itself. Tests replace the socket with any
// [Conn], such as icmp/icmptest's.
//
// The package never prints: events go to a handler and statistics are a
// value ([Stats]) returned by a method.
package echo
