package spec

import (
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

// This file is the one table of the spec language: every layer, every
// field, its kind, its range, its default and how it reaches the gopacket
// layer. The parser, the help text (Help) and Show all read it.

// specKind says how a field's value is written and what it means.
type specKind uint8

const (
	kindUint       specKind = iota // a number; ranges and lists expand
	kindAddr                       // an IPv4 address; ranges, a.b.c.d/n blocks and lists expand
	kindIPFlags                    // DF, MF, evil joined by +, or a number
	kindTCPFlags                   // letters of FSRPAUECN, or a number
	kindICMPType                   // a name or a number
	kindICMPCode                   // a name or a number
	kindProto                      // an IP protocol name or number
	kindIPOptions                  // a list of IPv4 options
	kindTCPOptions                 // a list of TCP options
	kindBytes                      // a string; lists expand
	kindHex                        // hex digits in a string or word; lists expand
	kindSize                       // a byte count of zeros; ranges and lists expand
	kindAddr6                      // an IPv6 address; ranges and blocks over the last 64 bits and lists expand
	kindAddr6List                  // a list of IPv6 addresses, one value
	kindIP6Options                 // a list of IPv6 hop-by-hop or destination options
	kindICMP6Type                  // an ICMPv6 type name or number
	kindICMP6Code                  // an ICMPv6 code name or number
	kindND6Options                 // a list of neighbour discovery options
)

// build holds the layer under construction for one packet; a field's
// set and get touch the member of its layer.
type build struct {
	ip      *layers.IPv4
	icmp    *layers.ICMPv4
	udp     *layers.UDP
	tcp     *layers.TCP
	payload gopacket.Payload
	srcSet  bool
	addrs   [2][4]byte // the IPv4 addresses, which SrcIP and DstIP alias
	build6
}

// value is one alternative of a field: a range of numbers (addresses
// are numbers too) or bytes or options.
type value struct {
	lo, hi uint64
	x      *ext // bytes or options; nil for numbers
}

type ext struct {
	b    []byte
	ipo  []layers.IPv4Option
	tcpo []layers.TCPOption
	ip6o []craft.IPv6Option
	a6   []net.IP
	h6   [8]byte // an IPv6 address's high 64 bits
}

type field struct {
	name    string
	aliases []string
	kind    specKind
	max     uint64      // for numbers
	keep    craft.Field // the computed field that setting this one keeps literal
	overlap uint8       // fields of a layer with intersecting masks contradict each other
	def     string      // the default, for the help text
	doc     string
	set     func(b *build, v uint64, sv *value)
	get     func(b *build) any
}

type layerDef struct {
	name    string
	aliases []string
	doc     string
	fields  []field
	layer   func(b *build) gopacket.SerializableLayer
	init    func(b *build)
}

// addr stores v in a and returns it as a net.IP aliasing a.
func addr(a *[4]byte, v uint64) net.IP {
	*a = [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	return a[:]
}

var specLayers = []*layerDef{ipDef, ip6Def, icmpDef, icmp6Def, udpDef, tcpDef,
	hbhDef, rtDef, frag6Def, destDef, rawDef}

var ipDef = &layerDef{
	name: "ip",
	doc:  "IPv4 header (RFC 791); gopacket layers.IPv4",
	init: func(b *build) {
		b.ip = &layers.IPv4{Version: 4, TTL: 64, Id: 1, DstIP: addr(&b.addrs[1], 0x7f000001)}
	},
	layer: func(b *build) gopacket.SerializableLayer { return b.ip },
	fields: []field{
		{name: "version", kind: kindUint, max: 15, keep: craft.IPv4Version, def: "4", doc: "IP version (Version)",
			set: func(b *build, v uint64, _ *value) { b.ip.Version = uint8(v) },
			get: func(b *build) any { return b.ip.Version }},
		{name: "ihl", kind: kindUint, max: 15, keep: craft.IPv4IHL, def: "computed", doc: "header length in 32-bit words (IHL)",
			set: func(b *build, v uint64, _ *value) { b.ip.IHL = uint8(v) },
			get: func(b *build) any { return b.ip.IHL }},
		{name: "tos", aliases: []string{"dscp"}, kind: kindUint, max: 255, def: "0", doc: "type of service: DSCP and ECN (TOS)",
			set: func(b *build, v uint64, _ *value) { b.ip.TOS = uint8(v) },
			get: func(b *build) any { return hexByte(b.ip.TOS) }},
		{name: "len", aliases: []string{"length"}, kind: kindUint, max: 65535, keep: craft.IPv4Length, def: "computed", doc: "total length (Length); a value the kernel would rewrite goes out as set, through a packet socket",
			set: func(b *build, v uint64, _ *value) { b.ip.Length = uint16(v) },
			get: func(b *build) any { return b.ip.Length }},
		{name: "id", kind: kindUint, max: 65535, def: "1", doc: "identification (Id); an explicit 0 is sent as 0 (through a packet socket)",
			set: func(b *build, v uint64, _ *value) { b.ip.Id = uint16(v) },
			get: func(b *build) any { return b.ip.Id }},
		{name: "flags", kind: kindIPFlags, max: 7, def: "0", doc: "DF, MF, evil (the reserved bit) joined by +, or 0-7 (Flags)",
			set: func(b *build, v uint64, _ *value) { b.ip.Flags = layers.IPv4Flag(v) },
			get: func(b *build) any { return ipFlagsString(uint64(b.ip.Flags)) }},
		{name: "frag", aliases: []string{"fragoff", "offset"}, kind: kindUint, max: 8191, def: "0", doc: "fragment offset in 8-byte units (FragOffset)",
			set: func(b *build, v uint64, _ *value) { b.ip.FragOffset = uint16(v) },
			get: func(b *build) any { return b.ip.FragOffset }},
		{name: "ttl", kind: kindUint, max: 255, def: "64", doc: "time to live (TTL)",
			set: func(b *build, v uint64, _ *value) { b.ip.TTL = uint8(v) },
			get: func(b *build) any { return b.ip.TTL }},
		{name: "proto", aliases: []string{"protocol"}, kind: kindProto, max: 255, keep: craft.IPv4Protocol, def: "computed", doc: "protocol: icmp, tcp, udp, ipip... or 0-255 (Protocol)",
			set: func(b *build, v uint64, _ *value) { b.ip.Protocol = layers.IPProtocol(v) },
			get: func(b *build) any { return protoString(uint8(b.ip.Protocol)) }},
		{name: "chksum", aliases: []string{"checksum", "sum"}, kind: kindUint, max: 65535, keep: craft.IPv4Checksum, def: "computed", doc: "header checksum (Checksum); a wrong value goes out as set, through a packet socket",
			set: func(b *build, v uint64, _ *value) { b.ip.Checksum = uint16(v) },
			get: func(b *build) any { return hex16(b.ip.Checksum) }},
		{name: "src", kind: kindAddr, max: 1<<32 - 1, def: "route", doc: "source address (SrcIP); unset: the kernel's choice for the route to dst",
			set: func(b *build, v uint64, _ *value) { b.ip.SrcIP, b.srcSet = addr(&b.addrs[0], v), true },
			get: func(b *build) any { return b.ip.SrcIP }},
		{name: "dst", kind: kindAddr, max: 1<<32 - 1, def: "127.0.0.1", doc: "destination address (DstIP)",
			set: func(b *build, v uint64, _ *value) { b.ip.DstIP = addr(&b.addrs[1], v) },
			get: func(b *build) any { return b.ip.DstIP }},
		{name: "options", aliases: []string{"opts"}, kind: kindIPOptions, def: "none", doc: "options list (Options): eol, nop, rr[=N], ts[=N], lsrr=[ADDR...], ssrr=[ADDR...], ra, TYPE=HEX",
			set: func(b *build, _ uint64, sv *value) { b.ip.Options = cloneIPOpts(sv.x.ipo) },
			get: func(b *build) any { return ipOptsString(b.ip.Options) }},
	},
}

var icmpDef = &layerDef{
	name: "icmp",
	doc:  "ICMP message header (RFC 792); gopacket layers.ICMPv4",
	init: func(b *build) {
		b.icmp = &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0)}
	},
	layer: func(b *build) gopacket.SerializableLayer { return b.icmp },
	fields: []field{
		{name: "type", kind: kindICMPType, max: 255, def: "echo-request", doc: "type, by name or number (TypeCode)",
			set: func(b *build, v uint64, _ *value) {
				b.icmp.TypeCode = layers.CreateICMPv4TypeCode(uint8(v), b.icmp.TypeCode.Code())
			},
			get: func(b *build) any { return icmpTypeString(b.icmp.TypeCode.Type()) }},
		{name: "code", kind: kindICMPCode, max: 255, def: "0", doc: "code, by name or number (TypeCode)",
			set: func(b *build, v uint64, _ *value) {
				b.icmp.TypeCode = layers.CreateICMPv4TypeCode(b.icmp.TypeCode.Type(), uint8(v))
			},
			get: func(b *build) any { return icmpCodeString(b.icmp.TypeCode.Type(), b.icmp.TypeCode.Code()) }},
		{name: "chksum", aliases: []string{"checksum", "sum"}, kind: kindUint, max: 65535, keep: craft.ICMPv4Checksum, def: "computed", doc: "checksum (Checksum)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Checksum = uint16(v) },
			get: func(b *build) any { return hex16(b.icmp.Checksum) }},
		{name: "id", kind: kindUint, max: 65535, overlap: 0b0011, def: "0", doc: "identifier, bytes 4-5 (Id)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Id = uint16(v) },
			get: func(b *build) any { return b.icmp.Id }},
		{name: "seq", kind: kindUint, max: 65535, overlap: 0b1100, def: "0", doc: "sequence number, bytes 6-7 (Seq)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Seq = uint16(v) },
			get: func(b *build) any { return b.icmp.Seq }},
		{name: "gw", aliases: []string{"gateway"}, kind: kindAddr, max: 1<<32 - 1, overlap: 0b1111, def: "-", doc: "redirect gateway, bytes 4-7 (Id and Seq)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Id, b.icmp.Seq = uint16(v>>16), uint16(v) }},
		{name: "ptr", aliases: []string{"pointer"}, kind: kindUint, max: 255, overlap: 0b0001, def: "-", doc: "parameter problem pointer, byte 4 (Id's high byte)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Id = uint16(v)<<8 | b.icmp.Id&0xff }},
		{name: "mtu", aliases: []string{"nexthopmtu"}, kind: kindUint, max: 65535, overlap: 0b1100, def: "-", doc: "next-hop MTU of fragmentation-needed, bytes 6-7 (Seq)",
			set: func(b *build, v uint64, _ *value) { b.icmp.Seq = uint16(v) }},
	},
}

var udpDef = &layerDef{
	name: "udp",
	doc:  "UDP header (RFC 768); gopacket layers.UDP",
	init: func(b *build) {
		b.udp = &layers.UDP{SrcPort: 53, DstPort: 53}
	},
	layer: func(b *build) gopacket.SerializableLayer { return b.udp },
	fields: []field{
		{name: "sport", aliases: []string{"srcport"}, kind: kindUint, max: 65535, def: "53", doc: "source port (SrcPort)",
			set: func(b *build, v uint64, _ *value) { b.udp.SrcPort = layers.UDPPort(v) },
			get: func(b *build) any { return uint16(b.udp.SrcPort) }},
		{name: "dport", aliases: []string{"dstport"}, kind: kindUint, max: 65535, def: "53", doc: "destination port (DstPort)",
			set: func(b *build, v uint64, _ *value) { b.udp.DstPort = layers.UDPPort(v) },
			get: func(b *build) any { return uint16(b.udp.DstPort) }},
		{name: "len", aliases: []string{"length"}, kind: kindUint, max: 65535, keep: craft.UDPLength, def: "computed", doc: "length, header and data (Length)",
			set: func(b *build, v uint64, _ *value) { b.udp.Length = uint16(v) },
			get: func(b *build) any { return b.udp.Length }},
		{name: "chksum", aliases: []string{"checksum", "sum"}, kind: kindUint, max: 65535, keep: craft.UDPChecksum, def: "computed", doc: "checksum with the pseudo-header (Checksum); 0 means none",
			set: func(b *build, v uint64, _ *value) { b.udp.Checksum = uint16(v) },
			get: func(b *build) any { return hex16(b.udp.Checksum) }},
	},
}

var tcpDef = &layerDef{
	name: "tcp",
	doc:  "TCP header (RFC 9293); gopacket layers.TCP",
	init: func(b *build) {
		b.tcp = &layers.TCP{SrcPort: 20, DstPort: 80, SYN: true, Window: 8192}
	},
	layer: func(b *build) gopacket.SerializableLayer { return b.tcp },
	fields: []field{
		{name: "sport", aliases: []string{"srcport"}, kind: kindUint, max: 65535, def: "20", doc: "source port (SrcPort)",
			set: func(b *build, v uint64, _ *value) { b.tcp.SrcPort = layers.TCPPort(v) },
			get: func(b *build) any { return uint16(b.tcp.SrcPort) }},
		{name: "dport", aliases: []string{"dstport"}, kind: kindUint, max: 65535, def: "80", doc: "destination port (DstPort)",
			set: func(b *build, v uint64, _ *value) { b.tcp.DstPort = layers.TCPPort(v) },
			get: func(b *build) any { return uint16(b.tcp.DstPort) }},
		{name: "seq", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "sequence number (Seq)",
			set: func(b *build, v uint64, _ *value) { b.tcp.Seq = uint32(v) },
			get: func(b *build) any { return b.tcp.Seq }},
		{name: "ack", kind: kindUint, max: 1<<32 - 1, def: "0", doc: "acknowledgment number (Ack)",
			set: func(b *build, v uint64, _ *value) { b.tcp.Ack = uint32(v) },
			get: func(b *build) any { return b.tcp.Ack }},
		{name: "dataofs", aliases: []string{"doff", "dataoffset"}, kind: kindUint, max: 15, keep: craft.TCPDataOffset, def: "computed", doc: "data offset in 32-bit words (DataOffset)",
			set: func(b *build, v uint64, _ *value) { b.tcp.DataOffset = uint8(v) },
			get: func(b *build) any { return b.tcp.DataOffset }},
		{name: "flags", kind: kindTCPFlags, max: 511, def: "S", doc: "letters of FSRPAUECN (FIN SYN RST PSH ACK URG ECE CWR NS) or 0-511",
			set: func(b *build, v uint64, _ *value) { setTCPFlags(b.tcp, v) },
			get: func(b *build) any { return tcpFlagsString(b.tcp) }},
		{name: "window", aliases: []string{"win"}, kind: kindUint, max: 65535, def: "8192", doc: "window (Window)",
			set: func(b *build, v uint64, _ *value) { b.tcp.Window = uint16(v) },
			get: func(b *build) any { return b.tcp.Window }},
		{name: "chksum", aliases: []string{"checksum", "sum"}, kind: kindUint, max: 65535, keep: craft.TCPChecksum, def: "computed", doc: "checksum with the pseudo-header (Checksum)",
			set: func(b *build, v uint64, _ *value) { b.tcp.Checksum = uint16(v) },
			get: func(b *build) any { return hex16(b.tcp.Checksum) }},
		{name: "urgptr", aliases: []string{"urgent", "urp"}, kind: kindUint, max: 65535, def: "0", doc: "urgent pointer (Urgent)",
			set: func(b *build, v uint64, _ *value) { b.tcp.Urgent = uint16(v) },
			get: func(b *build) any { return b.tcp.Urgent }},
		{name: "options", aliases: []string{"opts"}, kind: kindTCPOptions, def: "none", doc: "options list (Options): eol, nop, mss=N, wscale=N, sackok, sack=[L:R...], ts=VAL:ECR, KIND=HEX",
			set: func(b *build, _ uint64, sv *value) { b.tcp.Options = cloneTCPOpts(sv.x.tcpo) },
			get: func(b *build) any { return tcpOptsString(b.tcp.Options) }},
	},
}

var rawDef = &layerDef{
	name:  "raw",
	doc:   "payload bytes; raw(\"text\") is raw(load=\"text\")",
	init:  func(b *build) {},
	layer: func(b *build) gopacket.SerializableLayer { return &b.payload },
	fields: []field{
		{name: "load", aliases: []string{"data", "text"}, kind: kindBytes, overlap: 1, def: "empty", doc: "the bytes of a string, with Go escapes (\\n, \\xff)",
			set: func(b *build, _ uint64, sv *value) { b.payload = sv.x.b },
			get: func(b *build) any { return []byte(b.payload) }},
		{name: "hex", kind: kindHex, overlap: 1, def: "-", doc: "the bytes written in hex (\"00ff\", spaces and colons ignored)",
			set: func(b *build, _ uint64, sv *value) { b.payload = sv.x.b }},
		{name: "size", aliases: []string{"len", "length"}, kind: kindSize, max: 65535, overlap: 1, def: "-", doc: "that many zero bytes",
			set: func(b *build, v uint64, _ *value) { b.payload = make([]byte, v) }},
	},
}

func cloneIPOpts(o []layers.IPv4Option) []layers.IPv4Option {
	if o == nil {
		return nil
	}
	return append([]layers.IPv4Option(nil), o...)
}

func cloneTCPOpts(o []layers.TCPOption) []layers.TCPOption {
	if o == nil {
		return nil
	}
	return append([]layers.TCPOption(nil), o...)
}

// tcpFlagLetters are scapy's letters, bit 0 (FIN) first.
const tcpFlagLetters = "FSRPAUECN"

func setTCPFlags(t *layers.TCP, v uint64) {
	t.FIN, t.SYN, t.RST = v&1 != 0, v&2 != 0, v&4 != 0
	t.PSH, t.ACK, t.URG = v&8 != 0, v&16 != 0, v&32 != 0
	t.ECE, t.CWR, t.NS = v&64 != 0, v&128 != 0, v&256 != 0
}

// tcpFlagBits is the inverse of setTCPFlags: FIN in bit 0 to NS
// in bit 8, the order of tcpFlagLetters.
func tcpFlagBits(t *layers.TCP) uint64 {
	var f uint64
	for i, set := range [...]bool{t.FIN, t.SYN, t.RST, t.PSH, t.ACK, t.URG, t.ECE, t.CWR, t.NS} {
		if set {
			f |= 1 << i
		}
	}
	return f
}

func tcpFlagsString(t *layers.TCP) string {
	f := tcpFlagBits(t)
	var out []byte
	for i := range len(tcpFlagLetters) {
		if f&(1<<i) != 0 {
			out = append(out, tcpFlagLetters[i])
		}
	}
	if len(out) == 0 {
		return "0"
	}
	return string(out)
}
