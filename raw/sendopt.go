package raw

import "net/netip"

// SendOptions are the per-packet options of WriteToWith, which the
// kernel takes as control messages on sendmsg(2) instead of the
// socket's settings: one socket then sends packets of many kinds.
type SendOptions struct {
	// TOS is the packet's type of service byte (IP_TOS, ip(7)), on IPv6
	// its traffic class (IPV6_TCLASS, ipv6(7)); negative keeps the
	// socket's.
	TOS int
	// Source is the packet's source address (IP_PKTINFO's ipi_spec_dst,
	// ip(7); IPV6_PKTINFO's ipi6_addr, ipv6(7)): it must be an address of
	// the host, of the socket's family. The zero Addr keeps the
	// kernel's choice.
	Source netip.Addr
	// Stamp names the key of the packet's send stamp, StampKey, on a
	// Config.SendStamps socket (SCM_TS_OPT_ID; see PerSendStampKeys).
	Stamp    bool
	StampKey uint32
}
