package raw

import (
	"fmt"
	"net/netip"
)

// Protocol numbers of IPv6 sockets.
const (
	protocolICMPv6 = 58 // IPPROTO_ICMPV6
	ipv6HeaderSize = 40
)

// validate6 is validate for IPv6 sockets (ListenIPv6, ListenPing6).
// Options whose IPv4 meaning has an IPv6 counterpart keep their field:
// TTL is the hop limit, TOS the traffic class.
func (cfg *Config) validate6(protocol int, ping bool) error {
	return cfg.check(&v6Words, protocol, ping)
}

var v6Words = familyWords{
	ttl: "hop limit", tos: "traffic class",
	checkRest: func(cfg *Config, protocol int, ping bool) error {
		switch {
		case cfg.Source.IsValid() && (!cfg.Source.Is6() || cfg.Source.Is4In6()):
			return inputErrorf("source address %s is not IPv6", cfg.Source)
		case cfg.ICMPFilter != nil:
			return inputErrorf("ICMP filter is for IPv4: use ICMP6Filter on %s", describe6(protocol, ping))
		case cfg.ICMP6Filter != nil && (ping || protocol != protocolICMPv6):
			return inputErrorf("ICMPv6 filter needs a raw ICMPv6 socket (protocol 58), not %s", describe6(protocol, ping))
		}
		return nil
	},
}

// describe6 names an IPv6 socket kind in errors and in net.OpError.Net.
func describe6(protocol int, ping bool) string {
	if ping {
		return "ping6"
	}
	return fmt.Sprintf("ip6:%d", protocol)
}

// checkPacket6 is checkPacket for IPv6 sockets: the payload length field
// is 16 bits (no jumbograms), and with the header included the packet
// must start with a whole IPv6 header.
func checkPacket6(b []byte, hdrincl bool, i int) error {
	if !hdrincl {
		if len(b) > maxPacket {
			return packetError(i, "payload of %d bytes exceeds %d", len(b), maxPacket)
		}
		return nil
	}
	switch {
	case len(b) > maxPacket+ipv6HeaderSize:
		return packetError(i, "%d bytes exceeds %d", len(b), maxPacket+ipv6HeaderSize)
	case len(b) < ipv6HeaderSize:
		return packetError(i, "%d bytes is shorter than an IPv6 header", len(b))
	case b[0]>>4 != 6:
		return packetError(i, "IP version %d, want 6", b[0]>>4)
	}
	return nil
}

// destination6 returns the IPv6 address to send to, zone included. With
// the header included an invalid dst means the header's destination.
func destination6(dst netip.Addr, hdrincl bool, pkt []byte) (netip.Addr, error) {
	if !dst.IsValid() {
		if hdrincl && len(pkt) >= ipv6HeaderSize {
			return netip.AddrFrom16([16]byte(pkt[24:40])), nil
		}
		return dst, inputErrorf("no destination address")
	}
	if !dst.Is6() || dst.Is4In6() {
		return dst, inputErrorf("destination address %s is not IPv6", dst)
	}
	return dst, nil
}

// check is checkPacket or checkPacket6, as the socket's family wants.
func (c *Conn) check(b []byte, i int) error {
	if c.v6 {
		return checkPacket6(b, c.hdrincl, i)
	}
	return checkPacket(b, c.hdrincl, i)
}

// dest is destination or destination6, as the socket's family wants.
func (c *Conn) dest(dst netip.Addr, b []byte) (netip.Addr, error) {
	if c.v6 {
		return destination6(dst, c.hdrincl, b)
	}
	return destination(dst, c.hdrincl, b)
}
