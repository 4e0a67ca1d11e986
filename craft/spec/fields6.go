package spec

import (
	"encoding/binary"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

// The IPv6 part of the spec table: ip6(...), icmp6(...) and the extension
// headers hbh(...), rt(...), frag6(...) and dest(...), named after scapy's
// IPv6, ICMPv6*, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrFragment
// and IPv6ExtHdrDestOpt, with scapy's field names.

// specBuild6 holds the IPv6 layers under construction for one packet.
type specBuild6 struct {
	ip6    *layers.IPv6
	icmp6  *specICMPv6
	hbh    *craft.IPv6HopByHop
	rt     *craft.IPv6Routing
	frag   *craft.IPv6Fragment
	segSet bool
	a6     [2][16]byte // the IPv6 addresses, which SrcIP and DstIP alias
}

// specAddr6 stores the address hi:v in a and returns it as a net.IP
// aliasing a.
func specAddr6(a *[16]byte, v uint64, sv *specValue) net.IP {
	copy(a[:8], sv.x.h6[:])
	binary.BigEndian.PutUint64(a[8:], v)
	return a[:]
}

var specIP6Def = &specLayerDef{
	name: "ip6",
	doc:  "IPv6 header (RFC 8200); gopacket layers.IPv6, scapy IPv6",
	init: func(b *specBuild) {
		b.ip6 = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolNoNextHeader}
		b.a6[1] = [16]byte{15: 1}
		b.ip6.DstIP = b.a6[1][:]
	},
	layer: func(b *specBuild) gopacket.SerializableLayer { return b.ip6 },
	fields: []specField{
		{name: "version", kind: kindUint, max: 15, keep: craft.IPv6Version, def: "6", doc: "IP version (Version)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.Version = uint8(v) },
			get: func(b *specBuild) any { return b.ip6.Version }},
		{name: "tc", aliases: []string{"tclass", "trafficclass", "tos"}, kind: kindUint, max: 255, def: "0", doc: "traffic class: DSCP and ECN (TrafficClass)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.TrafficClass = uint8(v) },
			get: func(b *specBuild) any { return specHexByte(b.ip6.TrafficClass) }},
		{name: "fl", aliases: []string{"flow", "flowlabel"}, kind: kindUint, max: 0xfffff, def: "0", doc: "flow label, 20 bits (FlowLabel)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.FlowLabel = uint32(v) },
			get: func(b *specBuild) any { return b.ip6.FlowLabel }},
		{name: "plen", aliases: []string{"len", "length"}, kind: kindUint, max: 65535, keep: craft.IPv6Length, def: "computed", doc: "payload length, extension headers included (Length)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.Length = uint16(v) },
			get: func(b *specBuild) any { return b.ip6.Length }},
		{name: "nh", aliases: []string{"nextheader", "proto"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header: icmp6, tcp, udp, hopopt, ipv6-route, ipv6-frag, ipv6-opts... or 0-255; 59 (none) before raw",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.NextHeader = layers.IPProtocol(v) },
			get: func(b *specBuild) any { return specProtoString(uint8(b.ip6.NextHeader)) }},
		{name: "hlim", aliases: []string{"hoplimit", "ttl"}, kind: kindUint, max: 255, def: "64", doc: "hop limit (HopLimit); 255 before neighbour discovery, as scapy",
			set: func(b *specBuild, v uint64, _ *specValue) { b.ip6.HopLimit = uint8(v) },
			get: func(b *specBuild) any { return b.ip6.HopLimit }},
		{name: "src", kind: kindAddr6, max: 1<<64 - 1, def: "route", doc: "source address (SrcIP); unset: the kernel's choice for the route to dst",
			set: func(b *specBuild, v uint64, sv *specValue) {
				b.ip6.SrcIP, b.srcSet = specAddr6(&b.a6[0], v, sv), true
			},
			get: func(b *specBuild) any { return b.ip6.SrcIP }},
		{name: "dst", kind: kindAddr6, max: 1<<64 - 1, def: "::1", doc: "destination address (DstIP)",
			set: func(b *specBuild, v uint64, sv *specValue) { b.ip6.DstIP = specAddr6(&b.a6[1], v, sv) },
			get: func(b *specBuild) any { return b.ip6.DstIP }},
	},
}

// specExtFields are the next header and length of an extension header.
func specExtFields(nh func(b *specBuild) *layers.IPProtocol, hl func(b *specBuild) *uint8) []specField {
	return []specField{
		{name: "nh", aliases: []string{"nextheader"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header, as in ip6(...)",
			set: func(b *specBuild, v uint64, _ *specValue) { *nh(b) = layers.IPProtocol(v) },
			get: func(b *specBuild) any { return specProtoString(uint8(*nh(b))) }},
		{name: "len", aliases: []string{"length"}, kind: kindUint, max: 255, keep: craft.IPv6ExtLength, def: "computed", doc: "header length in 8-byte units after the first (HeaderLength)",
			set: func(b *specBuild, v uint64, _ *specValue) { *hl(b) = uint8(v) },
			get: func(b *specBuild) any { return *hl(b) }},
	}
}

func specOptionsLayer(name, doc string, hdr func(b *specBuild) **craft.IPv6HopByHop, layer func(h *craft.IPv6HopByHop) gopacket.SerializableLayer) *specLayerDef {
	return &specLayerDef{
		name: name, doc: doc,
		init:  func(b *specBuild) { *hdr(b) = &craft.IPv6HopByHop{NextHeader: layers.IPProtocolNoNextHeader} },
		layer: func(b *specBuild) gopacket.SerializableLayer { return layer(*hdr(b)) },
		fields: append(specExtFields(
			func(b *specBuild) *layers.IPProtocol { return &(*hdr(b)).NextHeader },
			func(b *specBuild) *uint8 { return &(*hdr(b)).HeaderLength }),
			specField{name: "options", aliases: []string{"opts"}, kind: kindIP6Options, def: "none", doc: "options list (Options): pad1, padn=N, ra=N (router alert), jumbo=N, TYPE=HEX; padded to 8 bytes with Pad1 or PadN",
				set: func(b *specBuild, _ uint64, sv *specValue) {
					(*hdr(b)).Options = append([]craft.IPv6Option(nil), sv.x.ip6o...)
				},
				get: func(b *specBuild) any { return specIP6OptsString((*hdr(b)).Options) }}),
	}
}

var specHBHDef = specOptionsLayer("hbh", "hop-by-hop options header (RFC 8200 4.3); scapy IPv6ExtHdrHopByHop",
	func(b *specBuild) **craft.IPv6HopByHop { return &b.hbh },
	func(h *craft.IPv6HopByHop) gopacket.SerializableLayer { return h })

var specDestDef = specOptionsLayer("dest", "destination options header (RFC 8200 4.6); scapy IPv6ExtHdrDestOpt",
	func(b *specBuild) **craft.IPv6HopByHop { return &b.hbh },
	func(h *craft.IPv6HopByHop) gopacket.SerializableLayer { return (*craft.IPv6Destination)(h) })

var specRtDef = &specLayerDef{
	name: "rt", aliases: []string{"routing"},
	doc: "routing header (RFC 8200 4.4); scapy IPv6ExtHdrRouting",
	init: func(b *specBuild) {
		b.rt, b.segSet = &craft.IPv6Routing{NextHeader: layers.IPProtocolNoNextHeader}, false
	},
	layer: func(b *specBuild) gopacket.SerializableLayer {
		if !b.segSet {
			b.rt.SegmentsLeft = uint8(len(b.rt.Addresses))
		}
		return b.rt
	},
	fields: append(specExtFields(
		func(b *specBuild) *layers.IPProtocol { return &b.rt.NextHeader },
		func(b *specBuild) *uint8 { return &b.rt.HeaderLength }),
		specField{name: "type", kind: kindUint, max: 255, def: "0", doc: "routing type (RoutingType)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.rt.RoutingType = uint8(v) },
			get: func(b *specBuild) any { return b.rt.RoutingType }},
		specField{name: "segleft", aliases: []string{"segmentsleft"}, kind: kindUint, max: 255, def: "addresses", doc: "segments left (SegmentsLeft); unset: the number of addresses",
			set: func(b *specBuild, v uint64, _ *specValue) { b.rt.SegmentsLeft, b.segSet = uint8(v), true },
			get: func(b *specBuild) any { return b.rt.SegmentsLeft }},
		specField{name: "reserved", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "the 4 bytes before the addresses (Reserved)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.rt.Reserved = uint32(v) },
			get: func(b *specBuild) any { return b.rt.Reserved }},
		specField{name: "addresses", aliases: []string{"addrs"}, kind: kindAddr6List, def: "none", doc: "list of IPv6 addresses [A, B...] (Addresses); with segments left, UDP, TCP and ICMPv6 checksums use the last",
			set: func(b *specBuild, _ uint64, sv *specValue) { b.rt.Addresses = sv.x.a6 },
			get: func(b *specBuild) any { return specAddrsString(b.rt.Addresses) }},
	),
}

var specFrag6Def = &specLayerDef{
	name: "frag6", aliases: []string{"fragment"},
	doc:   "fragment header (RFC 8200 4.5); scapy IPv6ExtHdrFragment",
	init:  func(b *specBuild) { b.frag = &craft.IPv6Fragment{NextHeader: layers.IPProtocolNoNextHeader} },
	layer: func(b *specBuild) gopacket.SerializableLayer { return b.frag },
	fields: []specField{
		{name: "nh", aliases: []string{"nextheader"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header, as in ip6(...)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.NextHeader = layers.IPProtocol(v) },
			get: func(b *specBuild) any { return specProtoString(uint8(b.frag.NextHeader)) }},
		{name: "res1", kind: kindUint, max: 255, def: "0", doc: "reserved byte (Reserved)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.Reserved = uint8(v) },
			get: func(b *specBuild) any { return b.frag.Reserved }},
		{name: "offset", aliases: []string{"frag", "fragoff"}, kind: kindUint, max: 8191, def: "0", doc: "fragment offset in 8-byte units (Offset)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.Offset = uint16(v) },
			get: func(b *specBuild) any { return b.frag.Offset }},
		{name: "res2", kind: kindUint, max: 3, def: "0", doc: "the two reserved bits (Reserved2)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.Reserved2 = uint8(v) },
			get: func(b *specBuild) any { return b.frag.Reserved2 }},
		{name: "m", aliases: []string{"mf", "more"}, kind: kindUint, max: 1, def: "0", doc: "more fragments flag, 0 or 1 (MoreFragments)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.MoreFragments = v != 0 },
			get: func(b *specBuild) any {
				if b.frag.MoreFragments {
					return 1
				}
				return 0
			}},
		{name: "id", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "identification (Identification)",
			set: func(b *specBuild, v uint64, _ *specValue) { b.frag.Identification = uint32(v) },
			get: func(b *specBuild) any { return b.frag.Identification }},
	},
}

func specAddrsString(a []net.IP) string {
	s := "["
	for i, x := range a {
		if i > 0 {
			s += ", "
		}
		s += x.String()
	}
	return s + "]"
}
