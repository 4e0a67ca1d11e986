package spec

import (
	"encoding/hex"
	"net"
	"strconv"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

var icmp6Def = &layerDef{
	name: "icmp6", aliases: []string{"icmpv6"},
	doc: "ICMPv6 message (RFC 4443, neighbour discovery RFC 4861); scapy ICMPv6EchoRequest, ICMPv6PacketTooBig, ICMPv6ND_NS...",
	init: func(b *build) {
		b.icmp6 = &icmpv6{msg: craft.ICMPv6Message{Header: layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeEchoRequest, 0)}}}
	},
	layer: func(b *build) gopacket.SerializableLayer {
		b.icmp6.build()
		return &b.icmp6.msg
	},
	fields: []field{
		{name: "type", kind: kindICMP6Type, max: 255, def: "echo-request", doc: "type, by name or number: echo-request, echo-reply, dest-unreach, packet-too-big, time-exceeded, param-problem, rs, ra, ns, na, redirect...",
			set: func(b *build, v uint64, _ *value) {
				b.icmp6.msg.Header.TypeCode = layers.CreateICMPv6TypeCode(uint8(v), b.icmp6.msg.Header.TypeCode.Code())
			},
			get: func(b *build) any { return icmp6TypeString(b.icmp6.msg.Header.TypeCode.Type()) }},
		{name: "code", kind: kindICMP6Code, max: 255, def: "0", doc: "code, by name or number: no-route, admin-prohibited, address-unreachable, port-unreachable, hop-limit-exceeded...",
			set: func(b *build, v uint64, _ *value) {
				b.icmp6.msg.Header.TypeCode = layers.CreateICMPv6TypeCode(b.icmp6.msg.Header.TypeCode.Type(), uint8(v))
			},
			get: func(b *build) any { return b.icmp6.msg.Header.TypeCode.Code() }},
		{name: "chksum", aliases: []string{"cksum", "checksum", "sum"}, kind: kindUint, max: 65535, keep: craft.ICMPv6Checksum, def: "computed", doc: "checksum with the IPv6 pseudo-header (Checksum)",
			set: func(b *build, v uint64, _ *value) { b.icmp6.msg.Header.Checksum = uint16(v) },
			get: func(b *build) any { return hex16(b.icmp6.msg.Header.Checksum) }},
		{name: "id", kind: kindUint, max: 65535, overlap: 0b0011, def: "0", doc: "echo identifier (ICMPv6Echo.Identifier)",
			set: func(b *build, v uint64, _ *value) { b.icmp6.id = uint16(v) },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.id, 128, 129) }},
		{name: "seq", kind: kindUint, max: 65535, overlap: 0b1100, def: "0", doc: "echo sequence number (ICMPv6Echo.SeqNumber)",
			set: func(b *build, v uint64, _ *value) { b.icmp6.seq = uint16(v) },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.seq, 128, 129) }},
		{name: "mtu", kind: kindUint, max: 1<<32 - 1, overlap: 0b1111, def: "1280", doc: "packet-too-big MTU, bytes 4-7",
			set: func(b *build, v uint64, _ *value) { b.icmp6.word, b.icmp6.wordSet = uint32(v), true },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.word, 2) }},
		{name: "ptr", aliases: []string{"pointer"}, kind: kindUint, max: 1<<32 - 1, overlap: 0b1111, def: "0", doc: "param-problem pointer, bytes 4-7",
			set: func(b *build, v uint64, _ *value) { b.icmp6.word, b.icmp6.wordSet = uint32(v), true },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.word, 4) }},
		{name: "unused", aliases: []string{"res", "reserved"}, kind: kindUint, max: 1<<32 - 1, overlap: 0b1111, def: "0", doc: "bytes 4-7 of dest-unreach, time-exceeded, rs, ns and redirect",
			set: func(b *build, v uint64, _ *value) { b.icmp6.word, b.icmp6.wordSet = uint32(v), true }},
		{name: "tgt", aliases: []string{"target"}, kind: kindAddr6, max: 1<<64 - 1, def: "::", doc: "target address of ns, na and redirect",
			set: func(b *build, v uint64, sv *value) { addr6(&b.icmp6.tgt, v, sv) },
			get: func(b *build) any { return b.icmp6.show(net.IP(b.icmp6.tgt[:]), 135, 136, 137) }},
		{name: "dst", kind: kindAddr6, max: 1<<64 - 1, def: "::", doc: "destination address of redirect",
			set: func(b *build, v uint64, sv *value) { addr6(&b.icmp6.rdst, v, sv) },
			get: func(b *build) any { return b.icmp6.show(net.IP(b.icmp6.rdst[:]), 137) }},
		{name: "flags", kind: kindUint, max: 255, def: "R+O (na), prf medium (ra)", doc: "flags byte: na R=0x80 S=0x40 O=0x20; ra M=0x80 O=0x40 H=0x20, prf in 0x18",
			set: func(b *build, v uint64, _ *value) { b.icmp6.flags, b.icmp6.flagsSet = uint8(v), true },
			get: func(b *build) any { return b.icmp6.show(hexByte(b.icmp6.flags), 134, 136) }},
		{name: "chlim", aliases: []string{"curhoplimit"}, kind: kindUint, max: 255, def: "0", doc: "ra current hop limit",
			set: func(b *build, v uint64, _ *value) { b.icmp6.chlim = uint8(v) },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.chlim, 134) }},
		{name: "routerlifetime", aliases: []string{"lifetime"}, kind: kindUint, max: 65535, def: "1800", doc: "ra router lifetime in seconds",
			set: func(b *build, v uint64, _ *value) { b.icmp6.life, b.icmp6.lifeSet = uint16(v), true },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.life, 134) }},
		{name: "reachabletime", aliases: []string{"reachable"}, kind: kindUint, max: 1<<32 - 1, def: "0", doc: "ra reachable time in ms",
			set: func(b *build, v uint64, _ *value) { b.icmp6.reach = uint32(v) },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.reach, 134) }},
		{name: "retranstimer", aliases: []string{"retrans"}, kind: kindUint, max: 1<<32 - 1, def: "0", doc: "ra retransmission timer in ms",
			set: func(b *build, v uint64, _ *value) { b.icmp6.retrans = uint32(v) },
			get: func(b *build) any { return b.icmp6.show(b.icmp6.retrans, 134) }},
		{name: "options", aliases: []string{"opts"}, kind: kindND6Options, def: "none", doc: "neighbour discovery options: slla=MAC, tlla=MAC, prefix=ADDR/LEN, mtu=N, TYPE=HEX",
			set: func(b *build, _ uint64, sv *value) { b.icmp6.opts = sv.x.b },
			get: func(b *build) any {
				return b.icmp6.show("0x"+hex.EncodeToString(b.icmp6.opts), 133, 134, 135, 136, 137)
			}},
	},
}

var icmp6TypeNames = []specName{
	{"dest-unreach", 1}, {"packet-too-big", 2}, {"time-exceeded", 3}, {"param-problem", 4},
	{"echo-request", 128}, {"echo-reply", 129}, {"mld-query", 130}, {"mld-report", 131}, {"mld-done", 132},
	{"router-solicitation", 133}, {"router-advertisement", 134}, {"neighbor-solicitation", 135},
	{"neighbor-advertisement", 136}, {"redirect", 137}, {"mld2-report", 143},
	// Short forms people type.
	{"unreach", 1}, {"ptb", 2}, {"too-big", 2}, {"time-exceed", 3}, {"parameter-problem", 4},
	{"echo", 128}, {"reply", 129}, {"rs", 133}, {"ra", 134}, {"ns", 135}, {"na", 136},
	{"neighbour-solicitation", 135}, {"neighbour-advertisement", 136},
}

// icmp6CodeNames are distinct across types, as for ICMP.
var icmp6CodeNames = []specName{
	{"no-route", 0}, {"admin-prohibited", 1}, {"beyond-scope", 2}, {"address-unreachable", 3},
	{"port-unreachable", 4}, {"source-policy-failed", 5}, {"reject-route", 6},
	{"hop-limit-exceeded", 0}, {"reassembly-time-exceeded", 1},
	{"erroneous-header", 0}, {"unrecognized-next-header", 1}, {"unrecognized-option", 2},
}

func icmp6TypeString(t uint8) string {
	if n, ok := nameOf(icmp6TypeNames, t); ok {
		return n + " (" + strconv.Itoa(int(t)) + ")"
	}
	return strconv.Itoa(int(t))
}

// show returns v when the message's type is one of types, for Show, and
// nil (not shown) otherwise: scapy shows only the fields of the message's
// own class.
func (m *icmpv6) show(v any, types ...uint8) any {
	for _, t := range types {
		if m.msg.Header.TypeCode.Type() == t {
			return v
		}
	}
	return nil
}
