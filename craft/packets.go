package craft

import (
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// ICMPv4Packet is an IPv4 datagram carrying one ICMP message. Every header
// field is a field of IP or ICMP; Keep names the computed fields of either
// layer to write as set. Building one allocates nothing, so a sender keeps
// one and changes ICMP.Seq and Payload between packets.
type ICMPv4Packet struct {
	IP      layers.IPv4
	ICMP    layers.ICMPv4
	Payload gopacket.Payload
	Keep    Field
}

// UDPPacket is an IPv4 datagram carrying one UDP datagram.
type UDPPacket struct {
	IP      layers.IPv4
	UDP     layers.UDP
	Payload gopacket.Payload
	Keep    Field
}

// TCPPacket is an IPv4 datagram carrying one TCP segment.
type TCPPacket struct {
	IP      layers.IPv4
	TCP     layers.TCP
	Payload gopacket.Payload
	Keep    Field
}

// ipv4Header returns the header defaults of Linux and scapy: version 4, TTL
// 64, no options.
func ipv4Header(src, dst netip.Addr, proto layers.IPProtocol) layers.IPv4 {
	return layers.IPv4{
		Version:  4,
		IHL:      5,
		TTL:      64,
		Protocol: proto,
		SrcIP:    addrSlice(src),
		DstIP:    addrSlice(dst),
	}
}

// addrSlice returns a 4-byte slice for an IPv4 address (also one mapped in
// IPv6) and the 16-byte form otherwise, which Build rejects by name.
func addrSlice(a netip.Addr) []byte {
	if a.Is4In6() {
		a = a.Unmap()
	}
	if !a.IsValid() {
		return nil
	}
	return a.AsSlice()
}

// NewICMPEcho returns an ICMP echo request from src to dst with the given
// identifier, sequence number and payload (not copied).
func NewICMPEcho(src, dst netip.Addr, id, seq uint16, payload []byte) *ICMPv4Packet {
	return &ICMPv4Packet{
		IP: ipv4Header(src, dst, layers.IPProtocolICMPv4),
		ICMP: layers.ICMPv4{
			TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0),
			Id:       id,
			Seq:      seq,
		},
		Payload: payload,
	}
}

// NewUDP returns a UDP datagram from src to dst carrying payload (not
// copied).
func NewUDP(src, dst netip.AddrPort, payload []byte) *UDPPacket {
	return &UDPPacket{
		IP:      ipv4Header(src.Addr(), dst.Addr(), layers.IPProtocolUDP),
		UDP:     layers.UDP{SrcPort: layers.UDPPort(src.Port()), DstPort: layers.UDPPort(dst.Port())},
		Payload: payload,
	}
}

// NewTCPSYN returns a TCP SYN from src to dst with the given initial
// sequence number, the window Linux offers (64240) and no options; set
// TCP.Options, the flags or any other field before building.
func NewTCPSYN(src, dst netip.AddrPort, seq uint32) *TCPPacket {
	return &TCPPacket{
		IP: ipv4Header(src.Addr(), dst.Addr(), layers.IPProtocolTCP),
		TCP: layers.TCP{
			SrcPort: layers.TCPPort(src.Port()),
			DstPort: layers.TCPPort(dst.Port()),
			Seq:     seq,
			SYN:     true,
			Window:  64240,
		},
	}
}

// BuildICMPv4 builds p; see Build.
func (b *Builder) BuildICMPv4(p *ICMPv4Packet) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putICMPv4(b.buf, &p.ICMP, p.Keep); err != nil {
		return nil, err
	}
	if err := putIPv4(b.buf, &p.IP, p.Keep, layers.LayerTypeICMPv4); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// BuildUDP builds p; see Build.
func (b *Builder) BuildUDP(p *UDPPacket) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putUDP(b.buf, &p.UDP, p.Keep, netCtx{ip: &p.IP, keep: p.Keep}); err != nil {
		return nil, err
	}
	if err := putIPv4(b.buf, &p.IP, p.Keep, layers.LayerTypeUDP); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}

// BuildTCP builds p; see Build.
func (b *Builder) BuildTCP(p *TCPPacket) ([]byte, error) {
	if err := b.buf.Clear(); err != nil {
		return nil, err
	}
	if err := putBytes(b.buf, p.Payload); err != nil {
		return nil, err
	}
	if err := putTCP(b.buf, &p.TCP, p.Keep, netCtx{ip: &p.IP, keep: p.Keep}); err != nil {
		return nil, err
	}
	if err := putIPv4(b.buf, &p.IP, p.Keep, layers.LayerTypeTCP); err != nil {
		return nil, err
	}
	return b.buf.Bytes(), nil
}
