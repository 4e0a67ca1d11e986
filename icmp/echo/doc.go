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
// # Monitor
//
// A [Monitor] is the engine's long-running form, behind `rawkit
// exporter`: targets are added ([Monitor.Add]), readdressed
// ([Probe.SetAddr]) and removed ([Probe.Remove]) while it runs, each
// with its own interval, timeout, payload size, TOS and source, all
// over one socket per family. Per-probe TOS and source travel as
// control messages with each send (IP_TOS and IP_PKTINFO, ip(7);
// IPV6_TCLASS and IPV6_PKTINFO, ipv6(7); raw.Conn.WriteToWith), on raw
// and ping sockets alike, except that an IPv6 ping socket takes no
// per-probe source (the kernel ignores it; Add refuses it). Sends are
// spread over each interval by a hash of the target (internal/sched's
// Periodic), so ten thousand targets at 1 s are ten sends a
// millisecond, never a burst, and adding one moves no other.
//
// Nothing in a Monitor wraps or caps over weeks: its payload carries,
// after the token, a 64-bit probe number counted over the Monitor's
// life, by which replies and quoted errors are matched; the ICMP
// sequence is each target's own count modulo 2^16 and is only checked
// against it. The table of probes grows with targets × timeout ÷
// interval, not with time. Every probe ends exactly once, as a reply or
// as lost at its deadline; a reply after that is counted late and does
// not take the probe back out of Lost. The kernel's count of packets
// dropped for want of receive buffer (SO_RXQ_OVFL, socket(7)) is read
// from every packet ([MonitorStats].SocketDrops): a Monitor of
// thousands of targets wants a receive buffer of a few MiB
// ([ListenConfig].ReceiveBuffer). Steady-state probing allocates
// nothing.
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
