package craft

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// ICMPv6Packet is an IPv6 packet carrying one ICMPv6 echo request or reply
// (RFC 4443 section 4). Every header field is a field of IP, ICMP or Echo;
// Keep names the computed fields to write as set. Building one allocates
// nothing, so a sender keeps one and changes Echo.SeqNumber and Payload
// between packets.
type ICMPv6Packet struct {
	IP      layers.IPv6
	ICMP    layers.ICMPv6
	Echo    layers.ICMPv6Echo
	Payload gopacket.Payload
	Keep    Field
}

// UDPv6Packet is an IPv6 packet carrying one UDP datagram, its checksum
// computed with the IPv6 pseudo-header.
type UDPv6Packet struct {
	IP      layers.IPv6
	UDP     layers.UDP
	Payload gopacket.Payload
	Keep    Field
}

// TCPv6Packet is an IPv6 packet carrying one TCP segment, its checksum
// computed with the IPv6 pseudo-header.
type TCPv6Packet struct {
	IP      layers.IPv6
	TCP     layers.TCP
	Payload gopacket.Payload
	Keep    Field
}

// ipv6Header returns the header defaults of Linux and scapy: version 6,
// hop limit 64, traffic class and flow label 0.
func ipv6Header(src, dst netip.Addr, next layers.IPProtocol) layers.IPv6 {
	return layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: addrSlice6(src), DstIP: addrSlice6(dst)}
}

// addrSlice6 returns the 16-byte form of an IPv6 address (an IPv4-mapped
// one included) and the 4-byte form of an IPv4 address, which Build
// rejects by name. The zone of a link-local address is dropped: it is not
// part of the header.
func addrSlice6(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	return a.WithZone("").AsSlice()
}

// NewICMPv6Echo returns an ICMPv6 echo request from src to dst with the
// given identifier, sequence number and payload (not copied). Set
// ICMP.TypeCode for an echo reply.
func NewICMPv6Echo(src, dst netip.Addr, id, seq uint16, payload []byte) *ICMPv6Packet {
	return &ICMPv6Packet{
		IP:      ipv6Header(src, dst, layers.IPProtocolICMPv6),
		ICMP:    layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoRequest, 0)},
		Echo:    layers.ICMPv6Echo{Identifier: id, SeqNumber: seq},
		Payload: payload,
	}
}

// NewUDPv6 returns a UDP datagram over IPv6 from src to dst carrying
// payload (not copied).
func NewUDPv6(src, dst netip.AddrPort, payload []byte) *UDPv6Packet {
	return &UDPv6Packet{
		IP:      ipv6Header(src.Addr(), dst.Addr(), layers.IPProtocolUDP),
		UDP:     layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())},
		Payload: payload,
	}
}

// NewTCPv6SYN returns a TCP SYN over IPv6 from src to dst with the given
// initial sequence number, window 64800 (Linux's for IPv6 over a 1500-byte
// link) and no options.
func NewTCPv6SYN(src, dst netip.AddrPort, seq uint32) *TCPv6Packet {
	return &TCPv6Packet{
		IP: ipv6Header(src.Addr(), dst.Addr(), layers.IPProtocolTCP),
		TCP: layers.TCP{
			SrcPort: layers.TCPPort(src.Port()),
			DstPort: layers.TCPPort(dst.Port()),
			Seq:     seq,
			SYN:     true,
			Window:  64800,
		},
	}
}

// BuildICMPv6 builds p; see Build.
func (b *Builder) BuildICMPv6(p *ICMPv6Packet) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putICMPv6Echo(b.buf, &p.Echo); err != nil {
		return nil, err
	}
	if err := putICMPv6(b.buf, &p.ICMP, p.Keep, netCtx{ip6: &p.IP}); err != nil {
		return nil, err
	}
	if err := putIPv6(b.buf, &p.IP, p.Keep, layers.LayerTypeICMPv6); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// BuildUDPv6 builds p; see Build.
func (b *Builder) BuildUDPv6(p *UDPv6Packet) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putUDP(b.buf, &p.UDP, p.Keep, netCtx{ip6: &p.IP}); err != nil {
		return nil, err
	}
	if err := putIPv6(b.buf, &p.IP, p.Keep, layers.LayerTypeUDP); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// BuildTCPv6 builds p; see Build.
func (b *Builder) BuildTCPv6(p *TCPv6Packet) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putTCP(b.buf, &p.TCP, p.Keep, netCtx{ip6: &p.IP}); err != nil {
		return nil, err
	}
	if err := putIPv6(b.buf, &p.IP, p.Keep, layers.LayerTypeTCP); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// ICMPv6Message is an ICMPv6 message as one layer: the header and the
// body after it, as bytes. Builder.Build writes the body as it is and the
// header with its checksum computed over the IPv6 pseudo-header unless
// kept (ICMPv6Checksum). It is what a packet spec's icmp6(...) layer
// builds (package craft/spec): one layer per layer of the spec, whatever
// the message type.
type ICMPv6Message struct {
	Header layers.ICMPv6
	Body   []byte
}

// LayerType returns layers.LayerTypeICMPv6.
func (*ICMPv6Message) LayerType() gopacket.LayerType { return layers.LayerTypeICMPv6 }

// SerializeTo writes the message without its checksum, which needs the
// IPv6 header: Builder.Build computes it.
func (m *ICMPv6Message) SerializeTo(b gopacket.SerializeBuffer, _ gopacket.SerializeOptions) error {
	if err := putBytes(b, m.Body); err != nil {
		return err
	}
	return putICMPv6(b, &m.Header, ICMPv6Checksum, netCtx{})
}
