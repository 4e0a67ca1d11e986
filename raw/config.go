package raw

import (
	"fmt"
	"net/netip"

	"golang.org/x/net/bpf"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// DFMode selects the path MTU discovery mode of a socket (IP_MTU_DISCOVER,
// ip(7)), which decides whether the kernel sets the Don't Fragment bit.
type DFMode int

const (
	// DFDefault leaves the kernel's default (net.ipv4.ip_no_pmtu_disc).
	DFDefault DFMode = iota
	// DFDo sets DF on every packet and never fragments locally
	// (IP_PMTUDISC_DO); a send larger than the path MTU fails.
	DFDo
	// DFDont clears DF and lets the kernel fragment (IP_PMTUDISC_DONT).
	DFDont
	// DFWant sets DF but fragments when the packet exceeds the known path
	// MTU (IP_PMTUDISC_WANT).
	DFWant
)

// String returns the mode's name as used in flags and errors.
func (m DFMode) String() string {
	switch m {
	case DFDefault:
		return "default"
	case DFDo:
		return "do"
	case DFDont:
		return "dont"
	case DFWant:
		return "want"
	}
	return fmt.Sprintf("DFMode(%d)", int(m))
}

// Config holds the options of a socket. A nil *Config means all defaults.
// Every option is set before the socket is bound and before it can hand a
// packet to the caller.
type Config struct {
	// HeaderIncluded makes the caller write the whole IPv4 packet
	// (IP_HDRINCL, raw(7)). The kernel still fills the checksum and the
	// total length, and the ID and source address when they are zero.
	// TTL, TOS and DontFragment have no effect in this mode and are
	// rejected: set them in the header. Protocol 255 (IPPROTO_RAW) always
	// works this way and is send-only.
	HeaderIncluded bool

	// Interface binds the socket to a network interface by name
	// (SO_BINDTODEVICE): it then sends and receives only there.
	// Empty means any interface.
	Interface string

	// Source is the local address the socket binds to (bind(2)): packets
	// are sent from it and only packets addressed to it are received.
	// The zero Addr means any address.
	Source netip.Addr

	// TTL is the time to live of sent packets (IP_TTL); 0 keeps the
	// kernel default (net.ipv4.ip_default_ttl).
	TTL int

	// TOS is the type of service byte, DSCP and ECN, of sent packets
	// (IP_TOS); 0 keeps the kernel default.
	TOS int

	// DontFragment selects the path MTU discovery mode (IP_MTU_DISCOVER).
	DontFragment DFMode

	// ReceiveBuffer is the socket receive buffer size in bytes. With
	// CAP_NET_ADMIN it may exceed net.core.rmem_max (SO_RCVBUFFORCE),
	// otherwise the kernel caps it (SO_RCVBUF). 0 keeps the default.
	ReceiveBuffer int

	// Timestamps asks the kernel to stamp each received packet with the
	// time it arrived (SO_TIMESTAMPNS); see Message.Received.
	Timestamps bool

	// DropCount asks the kernel to attach to each received packet the
	// socket's count of packets it dropped for want of receive buffer
	// (SO_RXQ_OVFL, socket(7)); see Message.Drops.
	DropCount bool

	// Filter is a classic BPF program run on every received packet
	// (SO_ATTACH_FILTER, socket(7)). On IPv4 raw sockets it sees the
	// packet from its IPv4 header on; on ping sockets from the ICMP
	// header; on IPv6 raw sockets from what follows the IPv6 header. It is
	// attached right after the socket is created and the receive queue is
	// emptied afterwards, so no packet the program rejects is ever read.
	// Empty means no filter.
	Filter []bpf.RawInstruction

	// ICMPFilter selects by type the ICMP messages a raw ICMP socket
	// (protocol 1) receives (ICMP_FILTER, raw(7)). Nil means all.
	ICMPFilter *ipv4.ICMPFilter

	// ICMP6Filter selects by type the ICMPv6 messages a raw ICMPv6
	// socket (ListenIPv6 with protocol 58) receives (ICMP6_FILTER,
	// icmp6(7), RFC 3542 3.2). Nil means all.
	ICMP6Filter *ipv6.ICMPFilter

	// RecvErr asks the kernel to queue the errors about packets this
	// socket sent (IP_RECVERR, ip(7)): the ICMP errors that quote them
	// and local errors. ReadMsg and ReadBatch return them among the
	// ordinary packets, with Message.ExtErr set. A ping socket receives
	// ICMP errors in no other way (icmp(7)).
	RecvErr bool

	// SendStamps asks the kernel for the software time at which each
	// packet this socket sends leaves (SO_TIMESTAMPING with TX_SOFTWARE,
	// OPT_ID and OPT_TSONLY, Documentation/networking/timestamping.rst).
	// The stamps wait on the error queue, which ReadMsg and ReadBatch
	// then read too (as with RecvErr, which may be set as well): a stamp
	// is a Message with ExtErr.Origin ErrOriginTimestamping, ExtErr.Key
	// the key of the send and ExtErr.Stamp its time, and no data. A
	// batch read takes the queued stamps before the packets, so that a
	// stamp queued before the answer to its packet is read no later than
	// the answer. WriteToWith names a send's key (SendOptions.StampKey)
	// where PerSendStampKeys says the kernel can; otherwise keys count
	// the sends from 0. EnableSendStamps, which reads the stamps apart,
	// is refused on such a socket.
	SendStamps bool

	// Mark sets the socket's firewall mark (SO_MARK), used by policy
	// routing and iptables; it needs CAP_NET_ADMIN. 0 leaves it unset.
	Mark uint32

	// NoPacketInfo leaves IP_PKTINFO (ip(7)) off on an IPv4 socket: reads
	// then leave Message.IfIndex 0 and, on ping sockets, Message.Dst
	// invalid (a raw socket reads Dst from the header). It spares the
	// kernel a control message on every packet received, for callers
	// that use neither. IPv6 sockets ignore it: their link-local
	// sources take their zone from the packet information.
	NoPacketInfo bool
}

// Limits of the kernel interfaces the options map to.
const (
	maxProtocol    = 255
	protocolRaw    = 255 // IPPROTO_RAW: header included, send-only (raw(7))
	protocolICMP   = 1
	maxIfNameLen   = 15   // IFNAMSIZ - 1
	maxBPFInsns    = 4096 // BPF_MAXINSNS
	maxPacket      = 65535
	ipv4HeaderSize = 20
)

// validate checks cfg for an IPv4 socket of the given protocol (ping
// sockets pass ping=true) without touching the system. Every error names
// the value at fault.
func (cfg *Config) validate(protocol int, ping bool) error {
	return cfg.check(&v4Words, protocol, ping)
}

// familyWords are what differs between the families when a Config is
// checked: the names of the same options, and which address and ICMP
// filter belong.
type familyWords struct {
	ttl, tos  string                                           // the names of Config.TTL and Config.TOS
	dfHint    string                                           // after "has no effect with the IP header included"
	checkRest func(cfg *Config, protocol int, ping bool) error // source and ICMP filters
}

var v4Words = familyWords{
	ttl: "TTL", tos: "TOS", dfHint: ": set DF in the header",
	checkRest: func(cfg *Config, protocol int, ping bool) error {
		switch {
		case cfg.Source.IsValid() && !cfg.Source.Unmap().Is4():
			return inputErrorf("source address %s is not IPv4", cfg.Source)
		case cfg.ICMPFilter != nil && (ping || protocol != protocolICMP):
			return inputErrorf("ICMP filter needs a raw ICMP socket (protocol 1), not %s", describe(protocol, ping))
		case cfg.ICMP6Filter != nil:
			return inputErrorf("ICMPv6 filter needs a raw ICMPv6 socket (ListenIPv6 with protocol 58), not %s", describe(protocol, ping))
		}
		return nil
	},
}

// check is validate for either family.
func (cfg *Config) check(w *familyWords, protocol int, ping bool) error {
	if protocol < 1 || protocol > maxProtocol {
		return inputErrorf("protocol %d out of range 1-255", protocol)
	}
	if cfg == nil {
		return nil
	}
	hdrincl := cfg.HeaderIncluded || (!ping && protocol == protocolRaw)
	switch {
	case ping && cfg.HeaderIncluded:
		return inputErrorf("ping sockets cannot include the IP header")
	case len(cfg.Interface) > maxIfNameLen:
		return inputErrorf("interface name %q longer than %d bytes", cfg.Interface, maxIfNameLen)
	case cfg.TTL < 0 || cfg.TTL > 255:
		return inputErrorf("%s %d out of range 0-255", w.ttl, cfg.TTL)
	case cfg.TOS < 0 || cfg.TOS > 255:
		return inputErrorf("%s %d out of range 0-255", w.tos, cfg.TOS)
	case cfg.DontFragment < DFDefault || cfg.DontFragment > DFWant:
		return inputErrorf("unknown don't-fragment mode %d", int(cfg.DontFragment))
	case cfg.ReceiveBuffer < 0:
		return inputErrorf("receive buffer size %d is negative", cfg.ReceiveBuffer)
	case len(cfg.Filter) > maxBPFInsns:
		return inputErrorf("BPF program of %d instructions exceeds %d", len(cfg.Filter), maxBPFInsns)
	}
	if err := w.checkRest(cfg, protocol, ping); err != nil {
		return err
	}
	if hdrincl {
		switch {
		case cfg.TTL != 0:
			return inputErrorf("%s %d has no effect with the IP header included: set it in the header", w.ttl, cfg.TTL)
		case cfg.TOS != 0:
			return inputErrorf("%s %d has no effect with the IP header included: set it in the header", w.tos, cfg.TOS)
		case cfg.DontFragment != DFDefault:
			return inputErrorf("don't-fragment mode %s has no effect with the IP header included%s", cfg.DontFragment, w.dfHint)
		}
	}
	return nil
}

// describe names a socket kind in errors and in net.OpError.Net.
func describe(protocol int, ping bool) string {
	if ping {
		return "ping4"
	}
	return fmt.Sprintf("ip4:%d", protocol)
}
