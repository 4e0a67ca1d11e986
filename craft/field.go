package craft

import (
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
)

// Field names a header field that Build computes unless told to keep it.
// Fields combine with |, as a set.
//
// Build writes every other header field exactly as it is set in the layer;
// only these are derived from the rest of the packet. After Build, the layer
// struct holds the values that were written, so a caller can read back a
// computed checksum or length.
type Field uint32

// The computed fields. Any of them kept on a layer is written as set, even
// when wrong: a lab must be able to send a bad checksum or a lying length.
const (
	IPv4Version       Field = 1 << iota // IPv4.Version, computed as 4
	IPv4IHL                             // IPv4.IHL, from the options' length
	IPv4Length                          // IPv4.Length, header plus payload
	IPv4Protocol                        // IPv4.Protocol, from the next layer when it is ICMPv4, UDP, TCP or IPv4
	IPv4Checksum                        // IPv4.Checksum over the header
	IPv4OptionLengths                   // IPv4Option.OptionLength, 2 + len(OptionData)
	ICMPv4Checksum                      // ICMPv4.Checksum over the message
	UDPLength                           // UDP.Length, header plus payload
	UDPChecksum                         // UDP.Checksum with the IPv4 or IPv6 pseudo-header
	TCPDataOffset                       // TCP.DataOffset, from the options' length; kept, non-empty Padding is written as set
	TCPChecksum                         // TCP.Checksum with the IPv4 or IPv6 pseudo-header
	TCPOptionLengths                    // TCPOption.OptionLength, 2 + len(OptionData)
	EthernetType                        // Ethernet.EthernetType, from the next layer when it is IPv4, IPv6 or ARP
	IPv6Version                         // IPv6.Version, computed as 6
	IPv6Length                          // IPv6.Length, the payload length: extension headers and all after them
	IPv6NextHeader                      // IPv6.NextHeader and an extension header's NextHeader, from the next layer
	IPv6ExtLength                       // an extension header's HeaderLength, from its options or addresses, and its padding
	IPv6OptionLengths                   // IPv6Option.Length in hop-by-hop and destination options, len(Data)
	ICMPv6Checksum                      // ICMPv6.Checksum with the IPv6 pseudo-header

	fieldEnd
)

// AllFields is every computed field: with it kept, Build writes each layer
// exactly as set.
const AllFields = fieldEnd - 1

var fieldNames = [...]string{
	"IPv4Version", "IPv4IHL", "IPv4Length", "IPv4Protocol", "IPv4Checksum",
	"IPv4OptionLengths", "ICMPv4Checksum", "UDPLength", "UDPChecksum",
	"TCPDataOffset", "TCPChecksum", "TCPOptionLengths", "EthernetType",
	"IPv6Version", "IPv6Length", "IPv6NextHeader", "IPv6ExtLength",
	"IPv6OptionLengths", "ICMPv6Checksum",
}

// String lists the fields in f joined by "|", e.g. "IPv4Length|IPv4Checksum".
func (f Field) String() string {
	if f == 0 {
		return "0"
	}
	var sb strings.Builder
	for i, name := range fieldNames {
		if f&(1<<i) == 0 {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(name)
	}
	if rest := f &^ AllFields; rest != 0 {
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString("0x")
		sb.WriteString(strconv.FormatUint(uint64(rest), 16))
	}
	return sb.String()
}

// Literal wraps a layer for Builder.Build, naming the computed fields of
// that one layer to keep as set. A packet spec parser wraps each layer with
// the fields its user wrote, so "set fields are kept literally" holds per
// layer even when a packet has two IPv4 headers (IP in IP).
//
// Outside Build, a Literal serializes as its layer does.
type Literal struct {
	Layer gopacket.SerializableLayer
	Keep  Field
}

// SerializeTo implements gopacket.SerializableLayer by delegating to the
// wrapped layer; the kept fields mean something only to Builder.Build.
func (l *Literal) SerializeTo(b gopacket.SerializeBuffer, opts gopacket.SerializeOptions) error {
	return l.Layer.SerializeTo(b, opts)
}

// LayerType returns the wrapped layer's type.
func (l *Literal) LayerType() gopacket.LayerType { return l.Layer.LayerType() }

// unwrap returns the layer inside any Literal wrappers and the union of
// their kept fields.
func unwrap(l gopacket.SerializableLayer) (gopacket.SerializableLayer, Field) {
	var keep Field
	for {
		lit, ok := l.(*Literal)
		if !ok || lit == nil {
			return l, keep
		}
		keep |= lit.Keep
		l = lit.Layer
	}
}
