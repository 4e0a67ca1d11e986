// Package raw opens and drives kernel sockets below the transport layer:
// IPv4 and IPv6 SOCK_RAW for any protocol, in payload mode and
// header-included mode (IP_HDRINCL, IPV6_HDRINCL), and the unprivileged
// ICMP and ICMPv6 ping sockets (SOCK_DGRAM, IPPROTO_ICMP and
// IPPROTO_ICMPV6).
//
// Sockets are created non-blocking and close-on-exec, their options are set
// before any packet can be queued, and they are then handed to the standard
// library so that the runtime poller provides deadlines. Reads report where
// each packet came from, its TTL, the interface and the kernel's receive time.
//
// raw knows nothing of packets' contents: building and decoding them is
// package craft's job.
//
// # Sockets
//
// ListenIPv4(protocol, cfg) opens a raw socket: writes carry the IP
// payload and the kernel adds the header, unless Config.HeaderIncluded is
// set, in which case the caller writes the whole packet. On Linux the
// header is in network byte order, and the kernel always fills the
// checksum and total length, and the ID and source address when they are
// zero (raw(7)); every other field goes out as written. Reads on a raw
// socket return the whole packet, header first.
//
// ListenPing opens a ping socket, which needs no capability but only
// membership of a group in the sysctl net.ipv4.ping_group_range. It sends
// and receives ICMP messages without the IP header; the kernel sets the
// echo identifier to the socket's port (Conn.LocalPort) and fills the
// checksum.
//
// # IPv6
//
// ListenIPv6(protocol, cfg) and ListenPing6(cfg) open the IPv6
// counterparts, which return the same *Conn. The kernel never hands an
// IPv6 raw socket the IPv6 header (ipv6(7)): reads return what follows
// it, Message.Header is nil, and the destination, interface, hop limit
// (Message.TTL) and traffic class (Message.TOS) come from control
// messages (IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS).
// Config.TTL sets the hop limit, Config.TOS the traffic class and
// Config.ICMP6Filter the ICMPv6 types a raw ICMPv6 socket receives, whose
// checksum the kernel computes; Conn.SetChecksumOffset has it compute
// the checksum of other protocols (IPV6_CHECKSUM). With
// Config.HeaderIncluded (IPV6_HDRINCL, Linux 4.5 and later) the packet
// goes out exactly as written. A link-local address carries its zone: a
// destination's zone, an interface name or index, becomes the scope id,
// and a source's scope id comes back as the interface's name. An IPv4
// address given to an IPv6 socket, or the reverse, is bad input.
//
// # Reading and writing
//
// Conn.ReadMsg reads one packet into the caller's buffer and returns a
// Message with its source, destination, TTL, TOS, interface index and,
// with Config.Timestamps, the kernel's receive time; it does not allocate
// in steady state. Conn.ReadBatch reads many with one recvmmsg(2).
// Conn.WriteToAddr sends to a netip.Addr and Conn.WriteBatch sends many
// with sendmmsg(2). Conn is also a net.PacketConn and a syscall.Conn.
//
// Conn.TryReadMsg and Conn.TryWriteTo never wait: they take a packet
// already queued, or send when the buffer has room, and otherwise return
// ErrWouldBlock at once. They bypass the runtime poller, whose
// bookkeeping costs as much as the kernel's work on loopback, for loops
// such as a flood ping that fall back to the waiting calls when needed.
//
// With Config.RecvErr (IP_RECVERR) the reads also return the errors the
// kernel queued about sent packets — ICMP errors quoting them and local
// errors — as Messages with ExtErr set. A ping socket learns of ICMP
// errors in no other way (icmp(7)).
//
// Every blocking call honours the deadlines and takes a context. A context
// is watched without a goroutine: when it is done, a deadline in the past
// is set, which wakes the call, and the caller's deadline is restored.
// Close wakes every blocked call with net.ErrClosed.
//
// # Errors
//
// Errors from the system come as *net.OpError around *os.SyscallError, so
// errors.Is(err, os.ErrPermission) reports a missing privilege, and such
// an error says what to do: run as root or with sudo, grant the binary
// the capability with `setcap cap_net_raw+ep BINARY`, or, for ping
// sockets, widen net.ipv4.ping_group_range. Bad input (a protocol outside
// 1-255, an unknown interface, a field out of range, a non-IPv4 address,
// a packet over 65,535 bytes) is reported before any system call, nothing
// sent, by an error naming the value for which errors.Is(err,
// os.ErrInvalid) holds.
//
// # Privileges
//
// A program that needs CAP_NET_RAW only to open its sockets should call
// DropPrivileges once they are open: it clears every capability of every
// thread and, under sudo, becomes the invoking user again; when it
// returns an error the drop did not complete and the program should stop
// (fail closed). Capabilities
// can be cleared on every thread only in a binary built with
// CGO_ENABLED=0, which is how rawkit is built.
//
// Raw sockets exist on Linux only here; elsewhere the functions return
// ErrNotImplemented.
package raw
