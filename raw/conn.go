package raw

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
)

var (
	_ net.PacketConn = (*Conn)(nil)
	_ syscall.Conn   = (*Conn)(nil)
	_ bpf.Setter     = (*Conn)(nil)
)

// A Conn is one IPv4 or IPv6 raw or ping socket. It is safe for
// concurrent use.
//
// On a raw socket every read returns the whole IPv4 packet; on a ping
// socket it returns the ICMP message. A raw ICMP socket also reads the
// echo requests it sends to a local address, and every raw socket of a
// protocol reads every packet of that protocol (raw(7)): filter with
// Config.Filter or Config.ICMPFilter, or by content.
type Conn struct {
	rc      *fdConn   // the socket, outside the runtime poller until a call waits
	laddr   net.Addr  // *net.IPAddr (raw) or *net.UDPAddr (ping), as bound
	network string    // "ip4:N", "ping4", "ip6:N" or "ping6", for errors
	v6      bool      // AF_INET6 (ListenIPv6, ListenPing6)
	zones   zoneCache // IPv6 interface names and indexes, in the socket's namespace
	ping    bool      // SOCK_DGRAM IPPROTO_ICMP
	hdrincl bool      // IP_HDRINCL: writes carry the IPv4 header
	recverr bool      // IP_RECVERR or SendStamps: reads also take the error queue
	// Config.SendStamps: batch reads take the error queue first.
	sendStamps bool

	dl deadlines // the caller's deadlines and context cancellations

	// Per-call state (system call arguments and bound closures), reused so
	// that steady-state reads and writes do not allocate.
	readers sync.Pool
	writers sync.Pool
	// msgWriters serve WriteToWith (*msgWriter).
	msgWriters sync.Pool
	// One reader and writer kept for the Try calls, which a flood makes
	// a million times a second: taken with one atomic swap, cheaper than
	// the pool (which serves when they are in use).
	tryR      atomic.Pointer[reader]
	tryW      atomic.Pointer[writer]
	wbatches  sync.Pool // *writeBatch
	rbatches  sync.Pool // *readBatch
	cancelers sync.Pool
	// The send stamps' reader (EnableSendStamps), kept for one caller at
	// a time like tryR; stampsOn tells a reader in use from none.
	stamps   atomic.Pointer[stampReader]
	stampsOn atomic.Bool
}

// A Message is one received packet and what the kernel said about it.
type Message struct {
	// Buf is the caller's buffer the packet is read into (batch reads).
	Buf []byte
	// Data is the IP payload: the ICMP message on ICMP sockets. It
	// aliases Buf.
	Data []byte
	// Header is the packet's IPv4 header, options included, on IPv4 raw
	// sockets; nil on ping sockets and on IPv6 sockets, to which the
	// kernel never hands the IPv6 header (ipv6(7)). It aliases Buf.
	Header []byte
	// Src and Dst are the packet's source and destination addresses. An
	// IPv6 link-local or multicast source carries its zone, the name of
	// the interface it came from.
	Src, Dst netip.Addr
	// TTL is the time to live the packet arrived with, on IPv6 its hop
	// limit (IPV6_HOPLIMIT); -1 if unknown.
	TTL int
	// TOS is its type of service byte, on IPv6 its traffic class
	// (IPV6_TCLASS); -1 if unknown.
	TOS int
	// IfIndex is the index of the interface it arrived on; 0 if unknown.
	IfIndex int
	// Received is the kernel's receive time when Config.Timestamps is set;
	// zero otherwise.
	Received time.Time
	// Drops is, with Config.DropCount, the number of packets the kernel
	// had dropped on this socket for want of receive buffer when it
	// queued this one (SO_RXQ_OVFL, socket(7)): a running count, as
	// the kernel's 32-bit counter wraps; 0 otherwise.
	Drops uint32
	// Truncated reports that the packet was longer than Buf: Data holds
	// only its beginning.
	Truncated bool
	// ExtErr is set (Origin not ErrOriginNone) on a message from the
	// error queue of a Config.RecvErr socket. Data is then the datagram
	// the error is about, as much as the error quoted: the ICMP message
	// on a ping socket, the IPv4 packet on a raw socket, and on IPv6
	// sockets what followed the IPv6 header (the ICMPv6 message on an
	// ICMPv6 socket); ExtErr.Origin is then ErrOriginICMP6. Dst is its
	// destination, Src the error's sender (ExtErr.Offender), TTL and
	// Received those of the ICMP error; Header is nil.
	ExtErr ExtendedError
}

// ReadMsg reads one packet into b and returns it with its metadata; the
// Message's slices alias b. On a Config.RecvErr socket it also returns
// the errors queued about sent packets, as Messages with ExtErr set. It blocks until a packet arrives, the read
// deadline passes (os.ErrDeadlineExceeded), ctx is done (ctx.Err()) or the
// Conn is closed (net.ErrClosed). It does not allocate in steady state
// when ctx cannot be cancelled (such as context.Background()).
//
// A cancelled ctx ends only its own call: other calls blocked at that
// moment go on waiting, and the caller's deadline stays in force.
func (c *Conn) ReadMsg(ctx context.Context, b []byte) (Message, error) {
	return c.readMsg(ctx, b)
}

// ReadBatch reads up to len(ms) packets with one recvmmsg(2), each into
// its ms[i].Buf, fills in the other fields and returns how many it read.
// It blocks until at least one packet is available, like ReadMsg. On a
// Config.RecvErr socket a queued error comes back alone, as ms[0].
func (c *Conn) ReadBatch(ctx context.Context, ms []Message) (int, error) {
	return c.readBatch(ctx, ms)
}

// TryReadMsg is ReadMsg without waiting: it returns a packet already
// queued, or ErrWouldBlock at once when there is none. It skips the
// runtime poller and the scheduler's bookkeeping of a blocking system
// call (recvmsg(2) with MSG_DONTWAIT, made with RawSyscall), which on
// loopback costs as much as the kernel's work: it is for loops that
// alternate sends and reads of already queued replies, such as a flood
// ping, and fall back to ReadMsg or ReadBatch to wait. It ignores
// deadlines and does not allocate.
func (c *Conn) TryReadMsg(b []byte) (Message, error) {
	return c.tryReadMsg(b)
}

// TryWriteTo is WriteToAddr without waiting: when the socket's send
// buffer is full it sends nothing and returns ErrWouldBlock at once.
// Like TryReadMsg it bypasses the poller; fall back to WriteToAddr to
// wait for room. It ignores deadlines and does not allocate.
func (c *Conn) TryWriteTo(b []byte, dst netip.Addr) (int, error) {
	return c.tryWriteTo(b, dst)
}

// WriteToAddr sends b to dst and returns len(b). With HeaderIncluded, b
// is the whole IPv4 packet and an invalid dst means the header's
// destination. Bad input (an IPv6 dst, a packet over 65,535 bytes, a
// malformed header) is reported before anything is sent.
func (c *Conn) WriteToAddr(ctx context.Context, b []byte, dst netip.Addr) (int, error) {
	return c.writeTo(ctx, b, dst)
}

// WriteBatch sends every packet of pkts to dst with as few sendmmsg(2)
// calls as the kernel allows and returns how many it sent; fewer than
// len(pkts) comes with an error. Every packet is checked before the first
// is sent, so bad input sends nothing.
func (c *Conn) WriteBatch(ctx context.Context, pkts [][]byte, dst netip.Addr) (int, error) {
	return c.writeBatch(ctx, pkts, dst)
}

// WriteBatchTo sends pkts[i] to dsts[i], for every i, with as few
// sendmmsg(2) calls as the kernel allows, and returns how many it sent:
// a sweep's probes to many hosts in one system call. Every packet and
// destination is checked before the first is sent, so bad input sends
// nothing; with HeaderIncluded an invalid dsts[i] is replaced by the
// header's destination. When the kernel refuses a packet (such as
// EHOSTUNREACH or ENETUNREACH for its destination) the batch stops there:
// the count is that packet's index and the error names its destination,
// so the caller can go on from the next. It does not allocate in steady
// state when ctx cannot be cancelled.
func (c *Conn) WriteBatchTo(ctx context.Context, pkts [][]byte, dsts []netip.Addr) (int, error) {
	return c.writeBatchTo(ctx, pkts, dsts)
}

// ReadFrom implements net.PacketConn: it copies the packet's payload (the
// IP header stripped, as net.IPConn does) to the start of b and returns
// the sender as a *net.IPAddr.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	m, err := c.readMsg(context.Background(), b)
	if err != nil {
		return 0, nil, err
	}
	n := copy(b, m.Data)
	return n, &net.IPAddr{IP: m.Src.AsSlice(), Zone: m.Src.Zone()}, nil
}

// WriteTo implements net.PacketConn; addr is a *net.IPAddr or a
// *net.UDPAddr (whose port is ignored).
func (c *Conn) WriteTo(b []byte, addr net.Addr) (int, error) {
	var ip net.IP
	var zone string
	switch a := addr.(type) {
	case *net.IPAddr:
		ip, zone = a.IP, a.Zone
	case *net.UDPAddr:
		ip, zone = a.IP, a.Zone
	default:
		return 0, inputErrorf("unsupported address type %T", addr)
	}
	dst, ok := netip.AddrFromSlice(ip)
	if !ok {
		return 0, inputErrorf("invalid destination address %v", addr)
	}
	if c.v6 {
		if dst.Is4In6() || len(ip) == net.IPv4len {
			return 0, inputErrorf("destination address %v is not IPv6", addr)
		}
		return c.writeTo(context.Background(), b, dst.WithZone(zone))
	}
	return c.writeTo(context.Background(), b, dst.Unmap())
}

// Close closes the socket; blocked reads and writes return net.ErrClosed.
func (c *Conn) Close() error { return c.rc.close() }

// LocalAddr returns the bound address: a *net.IPAddr on raw sockets, a
// *net.UDPAddr whose port is the echo identifier on ping sockets.
func (c *Conn) LocalAddr() net.Addr { return c.laddr }

// LocalPort returns, on a ping socket, the echo identifier the kernel
// writes into every echo request and matches replies by; 0 on raw sockets.
func (c *Conn) LocalPort() int {
	if a, ok := c.laddr.(*net.UDPAddr); ok {
		return a.Port
	}
	return 0
}

// SetDeadline sets the read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline for ReadMsg, ReadBatch and ReadFrom.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.setDeadline(dirRead, t) }

// SetWriteDeadline sets the deadline for writes.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.setDeadline(dirWrite, t) }

// SyscallConn returns the socket's raw connection, for options this
// package does not cover.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return c.rc, nil }

// SetBPF replaces the socket's classic BPF filter (SO_ATTACH_FILTER).
// Packets already queued are not filtered again.
func (c *Conn) SetBPF(filter []bpf.RawInstruction) error {
	return c.opError(opSet, c.setBPF(filter))
}

// SetTTL sets the time to live of packets sent from now on (IP_TTL), on
// IPv6 sockets the hop limit (IPV6_UNICAST_HOPS and IPV6_MULTICAST_HOPS);
// it has no effect with the IP header included.
func (c *Conn) SetTTL(ttl int) error {
	if ttl < 1 || ttl > 255 {
		return inputErrorf("TTL %d out of range 1-255", ttl)
	}
	if c.v6 {
		// A hop limit for unicast and multicast alike, as IP_TTL is.
		err := c.setInt(ipv6Level, ipv6UnicastHops, ttl)
		if err == nil {
			err = c.setInt(ipv6Level, ipv6MulticastHops, ttl)
		}
		return c.opError(opSet, err)
	}
	return c.opError(opSet, c.setInt(ipv4Level, ipv4TTL, ttl))
}

// SetTOS sets the type of service byte of packets sent from now on
// (IP_TOS), on IPv6 sockets the traffic class (IPV6_TCLASS); it has no
// effect with the IP header included.
func (c *Conn) SetTOS(tos int) error {
	if tos < 0 || tos > 255 {
		return inputErrorf("TOS %d out of range 0-255", tos)
	}
	if c.v6 {
		return c.opError(opSet, c.setInt(ipv6Level, ipv6TClass, tos))
	}
	return c.opError(opSet, c.setInt(ipv4Level, ipv4TOS, tos))
}

func (c *Conn) opError(op string, err error) error {
	return opError(op, c.network, c.laddr, err)
}
