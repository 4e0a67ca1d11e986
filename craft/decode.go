package craft

import (
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A Decoder decodes packets into its layer fields with a
// gopacket.DecodingLayerParser: decoding overwrites the same structs every
// time and allocates nothing per packet. The layer fields and Layers are
// valid until the next Decode and alias the decoded bytes. A Decoder is not
// safe for concurrent use.
type Decoder struct {
	Ethernet layers.Ethernet
	Dot1Q    layers.Dot1Q // the innermost VLAN tag, if any
	ARP      layers.ARP
	IPv4     layers.IPv4
	ICMPv4   layers.ICMPv4
	UDP      layers.UDP
	TCP      layers.TCP
	// IPv6 is the fixed IPv6 header; its extension headers are in
	// IPv6Extensions, each decoded layer also listed by Layers.
	IPv6       layers.IPv6
	ICMPv6     layers.ICMPv6
	ICMPv6Echo layers.ICMPv6Echo
	// Payload is what follows the last decoded header: the ICMP message
	// body (a quoted datagram for ICMP errors), the UDP or TCP data, or
	// the inner packet of IP in IP.
	Payload gopacket.Payload

	first   gopacket.LayerType
	parser  *gopacket.DecodingLayerParser
	decoded []gopacket.LayerType
	data    []byte
	sums    [5]Checksum
	v6      decoder6
	extBL   [4]layers.BaseLayer
}

// NewDecoder returns a Decoder for packets that start with the layer first:
// layers.LayerTypeIPv4 (raw IP, as read from a raw socket),
// layers.LayerTypeEthernet (as read from a packet socket or pcap),
// layers.LayerTypeARP, layers.LayerTypeICMPv4 (an ICMP message alone, as
// read from a ping socket), layers.LayerTypeIPv6 or layers.LayerTypeICMPv6.
// Decode fails for any other.
func NewDecoder(first gopacket.LayerType) *Decoder {
	d := &Decoder{first: first, decoded: make([]gopacket.LayerType, 0, 16)}
	dls := []gopacket.DecodingLayer{
		&d.Ethernet, &d.Dot1Q, &d.ARP, ipv4Decoder{&d.IPv4}, &d.ICMPv4,
		udpDecoder{&d.UDP}, tcpDecoder{&d.TCP}, &d.Payload,
		ipv6Decoder{d}, icmpv6Decoder{&d.ICMPv6}, icmpv6EchoDecoder{&d.ICMPv6Echo},
	}
	for i, t := range [...]layers.IPProtocol{layers.IPProtocolIPv6HopByHop, layers.IPProtocolIPv6Routing,
		layers.IPProtocolIPv6Fragment, layers.IPProtocolIPv6Destination} {
		dls = append(dls, ipv6ExtDecoder{d: d, typ: t, bl: &d.extBL[i]})
	}
	var dlc gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	for _, dl := range dls {
		dlc = dlc.Put(dl)
	}
	d.parser = gopacket.NewDecodingLayerParser(first)
	d.parser.SetDecodingLayerContainer(dlc)
	// A layer type craft does not decode (IPv6 after Ethernet, say) ends
	// decoding without an error; Layers says how far it went.
	d.parser.IgnoreUnsupported = true
	return d
}

// Decode decodes b. It returns an error when a header is malformed or
// truncated; the layers before it are still decoded, so Layers, Checksum
// and AppendSummary remain useful.
func (d *Decoder) Decode(b []byte) error {
	d.data = b
	d.sums = [5]Checksum{}
	d.Payload = nil
	d.v6 = decoder6{}
	switch d.first {
	case layers.LayerTypeIPv4, layers.LayerTypeEthernet, layers.LayerTypeARP, layers.LayerTypeICMPv4,
		layers.LayerTypeIPv6, layers.LayerTypeICMPv6:
	default:
		d.decoded = d.decoded[:0]
		return fmt.Errorf("craft: cannot decode packets starting with %v", d.first)
	}
	err := d.parser.DecodeLayers(b, &d.decoded)
	d.verify()
	if err != nil {
		return fmt.Errorf("craft: decode: %w", err)
	}
	return nil
}

// Layers returns the types of the layers decoded from the last packet, in
// order.
func (d *Decoder) Layers() []gopacket.LayerType { return d.decoded }

// Has reports whether the last packet had a layer of type t.
func (d *Decoder) Has(t gopacket.LayerType) bool {
	for _, l := range d.decoded {
		if l == t {
			return true
		}
	}
	return false
}

// Truncated reports whether the last packet was shorter than its headers
// said.
func (d *Decoder) Truncated() bool { return d.parser.Truncated }

// Bytes returns the last packet decoded.
func (d *Decoder) Bytes() []byte { return d.data }

// AppendSummary appends the tcpdump-style summary of the last packet (see
// Summary) to dst.
func (d *Decoder) AppendSummary(dst []byte) []byte {
	return AppendSummary(dst, d.data, d.first)
}

// ipv4Decoder decodes IPv4 but chooses the next layer itself: the
// transport header of a first fragment is decoded (tcpdump shows it too),
// later fragments stop at IPv4, and everything else, IP in IP included, is
// Payload, so that the outer header is not overwritten by an inner one.
type ipv4Decoder struct{ *layers.IPv4 }

func (ip ipv4Decoder) NextLayerType() gopacket.LayerType {
	if ip.FragOffset != 0 {
		return gopacket.LayerTypeFragment
	}
	switch ip.Protocol {
	case layers.IPProtocolICMPv4:
		return layers.LayerTypeICMPv4
	case layers.IPProtocolUDP:
		return layers.LayerTypeUDP
	case layers.IPProtocolTCP:
		return layers.LayerTypeTCP
	}
	return gopacket.LayerTypePayload
}

// udpDecoder and tcpDecoder stop at the transport layer: application
// protocols are the caller's business.
type udpDecoder struct{ *layers.UDP }

func (udpDecoder) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

type tcpDecoder struct{ *layers.TCP }

func (tcpDecoder) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }
