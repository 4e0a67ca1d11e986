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

// build6 holds the IPv6 layers under construction for one packet.
type build6 struct {
	ip6    *layers.IPv6
	icmp6  *icmpv6
	hbh    *craft.IPv6HopByHop
	rt     *craft.IPv6Routing
	frag   *craft.IPv6Fragment
	segSet bool
	a6     [2][16]byte // the IPv6 addresses, which SrcIP and DstIP alias
}

// addr6 stores the address hi:v in a and returns it as a net.IP
// aliasing a.
func addr6(a *[16]byte, v uint64, sv *value) net.IP {
	copy(a[:8], sv.x.h6[:])
	binary.BigEndian.PutUint64(a[8:], v)
	return a[:]
}

var ip6Def = &layerDef{
	name: "ip6",
	doc:  "IPv6 header (RFC 8200); gopacket layers.IPv6, scapy IPv6",
	init: func(b *build) {
		b.ip6 = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolNoNextHeader}
		b.a6[1] = [16]byte{15: 1}
		b.ip6.DstIP = b.a6[1][:]
	},
	layer: func(b *build) gopacket.SerializableLayer { return b.ip6 },
	fields: []field{
		{name: "version", kind: kindUint, max: 15, keep: craft.IPv6Version, def: "6", doc: "IP version (Version)",
			set: func(b *build, v uint64, _ *value) { b.ip6.Version = uint8(v) },
			get: func(b *build) any { return b.ip6.Version }},
		{name: "tc", aliases: []string{"tclass", "trafficclass", "tos"}, kind: kindUint, max: 255, def: "0", doc: "traffic class: DSCP and ECN (TrafficClass)",
			set: func(b *build, v uint64, _ *value) { b.ip6.TrafficClass = uint8(v) },
			get: func(b *build) any { return hexByte(b.ip6.TrafficClass) }},
		{name: "fl", aliases: []string{"flow", "flowlabel"}, kind: kindUint, max: 0xfffff, def: "0", doc: "flow label, 20 bits (FlowLabel)",
			set: func(b *build, v uint64, _ *value) { b.ip6.FlowLabel = uint32(v) },
			get: func(b *build) any { return b.ip6.FlowLabel }},
		{name: "plen", aliases: []string{"len", "length"}, kind: kindUint, max: 65535, keep: craft.IPv6Length, def: "computed", doc: "payload length, extension headers included (Length)",
			set: func(b *build, v uint64, _ *value) { b.ip6.Length = uint16(v) },
			get: func(b *build) any { return b.ip6.Length }},
		{name: "nh", aliases: []string{"nextheader", "proto"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header: icmp6, tcp, udp, hopopt, ipv6-route, ipv6-frag, ipv6-opts... or 0-255; 59 (none) before raw",
			set: func(b *build, v uint64, _ *value) { b.ip6.NextHeader = layers.IPProtocol(v) },
			get: func(b *build) any { return protoString(uint8(b.ip6.NextHeader)) }},
		{name: "hlim", aliases: []string{"hoplimit", "ttl"}, kind: kindUint, max: 255, def: "64", doc: "hop limit (HopLimit); 255 before neighbour discovery, as scapy",
			set: func(b *build, v uint64, _ *value) { b.ip6.HopLimit = uint8(v) },
			get: func(b *build) any { return b.ip6.HopLimit }},
		{name: "src", kind: kindAddr6, max: 1<<64 - 1, def: "route", doc: "source address (SrcIP); unset: the kernel's choice for the route to dst",
			set: func(b *build, v uint64, sv *value) {
				b.ip6.SrcIP, b.srcSet = addr6(&b.a6[0], v, sv), true
			},
			get: func(b *build) any { return b.ip6.SrcIP }},
		{name: "dst", kind: kindAddr6, max: 1<<64 - 1, def: "::1", doc: "destination address (DstIP)",
			set: func(b *build, v uint64, sv *value) { b.ip6.DstIP = addr6(&b.a6[1], v, sv) },
			get: func(b *build) any { return b.ip6.DstIP }},
	},
}

// extFields are the next header and length of an extension header.
func extFields(nh func(b *build) *layers.IPProtocol, hl func(b *build) *uint8) []field {
	return []field{
		{name: "nh", aliases: []string{"nextheader"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header, as in ip6(...)",
			set: func(b *build, v uint64, _ *value) { *nh(b) = layers.IPProtocol(v) },
			get: func(b *build) any { return protoString(uint8(*nh(b))) }},
		{name: "len", aliases: []string{"length"}, kind: kindUint, max: 255, keep: craft.IPv6ExtLength, def: "computed", doc: "header length in 8-byte units after the first (HeaderLength)",
			set: func(b *build, v uint64, _ *value) { *hl(b) = uint8(v) },
			get: func(b *build) any { return *hl(b) }},
	}
}

func optionsLayer(name, doc string, hdr func(b *build) **craft.IPv6HopByHop, layer func(h *craft.IPv6HopByHop) gopacket.SerializableLayer) *layerDef {
	return &layerDef{
		name: name, doc: doc,
		init:  func(b *build) { *hdr(b) = &craft.IPv6HopByHop{NextHeader: layers.IPProtocolNoNextHeader} },
		layer: func(b *build) gopacket.SerializableLayer { return layer(*hdr(b)) },
		fields: append(extFields(
			func(b *build) *layers.IPProtocol { return &(*hdr(b)).NextHeader },
			func(b *build) *uint8 { return &(*hdr(b)).HeaderLength }),
			field{name: "options", aliases: []string{"opts"}, kind: kindIP6Options, def: "none", doc: "options list (Options): pad1, padn=N, ra=N (router alert), jumbo=N, TYPE=HEX; padded to 8 bytes with Pad1 or PadN",
				set: func(b *build, _ uint64, sv *value) {
					(*hdr(b)).Options = append([]craft.IPv6Option(nil), sv.x.ip6o...)
				},
				get: func(b *build) any { return ip6OptsString((*hdr(b)).Options) }}),
	}
}

var hbhDef = optionsLayer("hbh", "hop-by-hop options header (RFC 8200 4.3); scapy IPv6ExtHdrHopByHop",
	func(b *build) **craft.IPv6HopByHop { return &b.hbh },
	func(h *craft.IPv6HopByHop) gopacket.SerializableLayer { return h })

var destDef = optionsLayer("dest", "destination options header (RFC 8200 4.6); scapy IPv6ExtHdrDestOpt",
	func(b *build) **craft.IPv6HopByHop { return &b.hbh },
	func(h *craft.IPv6HopByHop) gopacket.SerializableLayer { return (*craft.IPv6Destination)(h) })

var rtDef = &layerDef{
	name: "rt", aliases: []string{"routing"},
	doc: "routing header (RFC 8200 4.4); scapy IPv6ExtHdrRouting",
	init: func(b *build) {
		b.rt, b.segSet = &craft.IPv6Routing{NextHeader: layers.IPProtocolNoNextHeader}, false
	},
	layer: func(b *build) gopacket.SerializableLayer {
		if !b.segSet {
			b.rt.SegmentsLeft = uint8(len(b.rt.Addresses))
		}
		return b.rt
	},
	fields: append(extFields(
		func(b *build) *layers.IPProtocol { return &b.rt.NextHeader },
		func(b *build) *uint8 { return &b.rt.HeaderLength }),
		field{name: "type", kind: kindUint, max: 255, def: "0", doc: "routing type (RoutingType)",
			set: func(b *build, v uint64, _ *value) { b.rt.RoutingType = uint8(v) },
			get: func(b *build) any { return b.rt.RoutingType }},
		field{name: "segleft", aliases: []string{"segmentsleft"}, kind: kindUint, max: 255, def: "addresses", doc: "segments left (SegmentsLeft); unset: the number of addresses",
			set: func(b *build, v uint64, _ *value) { b.rt.SegmentsLeft, b.segSet = uint8(v), true },
			get: func(b *build) any { return b.rt.SegmentsLeft }},
		field{name: "reserved", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "the 4 bytes before the addresses (Reserved)",
			set: func(b *build, v uint64, _ *value) { b.rt.Reserved = uint32(v) },
			get: func(b *build) any { return b.rt.Reserved }},
		field{name: "addresses", aliases: []string{"addrs"}, kind: kindAddr6List, def: "none", doc: "list of IPv6 addresses [A, B...] (Addresses); with segments left, UDP, TCP and ICMPv6 checksums use the last",
			set: func(b *build, _ uint64, sv *value) { b.rt.Addresses = sv.x.a6 },
			get: func(b *build) any { return addrsString(b.rt.Addresses) }},
	),
}

var frag6Def = &layerDef{
	name: "frag6", aliases: []string{"fragment"},
	doc:   "fragment header (RFC 8200 4.5); scapy IPv6ExtHdrFragment",
	init:  func(b *build) { b.frag = &craft.IPv6Fragment{NextHeader: layers.IPProtocolNoNextHeader} },
	layer: func(b *build) gopacket.SerializableLayer { return b.frag },
	fields: []field{
		{name: "nh", aliases: []string{"nextheader"}, kind: kindProto, max: 255, keep: craft.IPv6NextHeader, def: "computed", doc: "next header, as in ip6(...)",
			set: func(b *build, v uint64, _ *value) { b.frag.NextHeader = layers.IPProtocol(v) },
			get: func(b *build) any { return protoString(uint8(b.frag.NextHeader)) }},
		{name: "res1", kind: kindUint, max: 255, def: "0", doc: "reserved byte (Reserved)",
			set: func(b *build, v uint64, _ *value) { b.frag.Reserved = uint8(v) },
			get: func(b *build) any { return b.frag.Reserved }},
		{name: "offset", aliases: []string{"frag", "fragoff"}, kind: kindUint, max: 8191, def: "0", doc: "fragment offset in 8-byte units (Offset)",
			set: func(b *build, v uint64, _ *value) { b.frag.Offset = uint16(v) },
			get: func(b *build) any { return b.frag.Offset }},
		{name: "res2", kind: kindUint, max: 3, def: "0", doc: "the two reserved bits (Reserved2)",
			set: func(b *build, v uint64, _ *value) { b.frag.Reserved2 = uint8(v) },
			get: func(b *build) any { return b.frag.Reserved2 }},
		{name: "m", aliases: []string{"mf", "more"}, kind: kindUint, max: 1, def: "0", doc: "more fragments flag, 0 or 1 (MoreFragments)",
			set: func(b *build, v uint64, _ *value) { b.frag.MoreFragments = v != 0 },
			get: func(b *build) any {
				if b.frag.MoreFragments {
					return 1
				}
				return 0
			}},
		{name: "id", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "identification (Identification)",
			set: func(b *build, v uint64, _ *value) { b.frag.Identification = uint32(v) },
			get: func(b *build) any { return b.frag.Identification }},
	},
}

func addrsString(a []net.IP) string {
	s := "["
	for i, x := range a {
		if i > 0 {
			s += ", "
		}
		s += x.String()
	}
	return s + "]"
}
