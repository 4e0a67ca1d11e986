package spec

import (
	"encoding/binary"
	"net"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

// icmpv6 is an ICMPv6 message of a spec: the layer Builder.Build
// writes (msg), and the fields of the body that its type gives meaning
// to, written out into msg.Body when it is built.
type icmpv6 struct {
	msg      craft.ICMPv6Message
	id, seq  uint16
	word     uint32 // bytes 4-7 of errors: unused, MTU or pointer
	wordSet  bool
	flags    uint8 // NA's R, S, O; RA's M, O, H, prf
	flagsSet bool
	chlim    uint8
	life     uint16
	lifeSet  bool
	reach    uint32
	retrans  uint32
	tgt      [16]byte
	rdst     [16]byte
	opts     []byte // neighbour discovery options, encoded
	bodyBuf  [48]byte
}

// build lays out the body for the message's type (RFC 4443, RFC 4861) with
// scapy's defaults, and the options after it.
func (m *icmpv6) build() []byte {
	b := m.bodyBuf[:0]
	word := func(def uint32) {
		if !m.wordSet {
			m.word = def
		}
		b = binary.BigEndian.AppendUint32(b, m.word)
	}
	switch m.msg.Header.TypeCode.Type() {
	case layers.ICMPv6TypeEchoRequest, layers.ICMPv6TypeEchoReply:
		b = binary.BigEndian.AppendUint16(b, m.id)
		b = binary.BigEndian.AppendUint16(b, m.seq)
	case layers.ICMPv6TypePacketTooBig:
		word(1280)
	case layers.ICMPv6TypeDestinationUnreachable, layers.ICMPv6TypeTimeExceeded,
		layers.ICMPv6TypeParameterProblem, layers.ICMPv6TypeRouterSolicitation:
		word(0)
	case layers.ICMPv6TypeRouterAdvertisement:
		if !m.flagsSet {
			m.flags = 0x08 // preference medium (RFC 4191)
		}
		if !m.lifeSet {
			m.life = 1800
		}
		b = append(b, m.chlim, m.flags)
		b = binary.BigEndian.AppendUint16(b, m.life)
		b = binary.BigEndian.AppendUint32(b, m.reach)
		b = binary.BigEndian.AppendUint32(b, m.retrans)
	case layers.ICMPv6TypeNeighborSolicitation:
		word(0)
		b = append(b, m.tgt[:]...)
	case layers.ICMPv6TypeNeighborAdvertisement:
		if !m.flagsSet {
			m.flags = 0xa0 // router and override, as scapy
		}
		b = append(b, m.flags, 0, 0, 0)
		b = append(b, m.tgt[:]...)
	case layers.ICMPv6TypeRedirect:
		word(0)
		b = append(b, m.tgt[:]...)
		b = append(b, m.rdst[:]...)
	}
	m.msg.Body = append(b, m.opts...)
	return m.msg.Body
}

var ndOptionNames = []string{"slla", "tlla", "prefix", "mtu"}

// ndOption encodes one neighbour discovery option (RFC 4861 4.6): slla=MAC,
// tlla=MAC, prefix=ADDR/LEN, mtu=N, or TYPE=HEX.
func (c *valueCtx) ndOption(name string, col int, val *node) ([]byte, error) {
	switch name {
	case "slla", "tlla":
		if val == nil || val.kind == nodeList {
			return nil, c.errorf(col, "option %s in %s(...) takes a MAC address, e.g. %s=02:00:00:00:00:01", name, c.layer, name)
		}
		mac, err := net.ParseMAC(val.text)
		if err != nil || len(mac) != 6 {
			return nil, c.errorf(val.col, "option %s=%s in %s(...) is not a MAC address", name, val.text, c.layer)
		}
		t := byte(1)
		if name == "tlla" {
			t = 2
		}
		return append([]byte{t, 1}, mac...), nil
	case "mtu":
		v, err := c.optNum(val, name, 1280, 1<<32-1)
		if err != nil {
			return nil, err
		}
		return binary.BigEndian.AppendUint32([]byte{5, 1, 0, 0}, uint32(v)), nil
	case "prefix":
		if val == nil || val.kind == nodeList {
			return nil, c.errorf(col, "option prefix in %s(...) takes ADDR/LEN, e.g. prefix=2001:db8::/64", c.layer)
		}
		a, l, ok := parsePrefix6(val.text)
		if !ok {
			return nil, c.errorf(val.col, "option prefix=%s in %s(...) is not an IPv6 prefix ADDR/LEN", val.text, c.layer)
		}
		// On-link and autonomous, lifetimes infinite: scapy's defaults.
		o := []byte{3, 4, l, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}
		return append(o, a[:]...), nil
	}
	if name == "" || !isDigit(name[0]) {
		return nil, c.unknownOption(name, col, ndOptionNames)
	}
	t, data, err := c.optHex(name, col, val, 255)
	if err != nil {
		return nil, c.errorf(col, "option %s in %s(...): TYPE must be 0-255", name, c.layer)
	}
	n := (2 + len(data) + 7) / 8
	if n > 255 {
		return nil, c.errorf(col, "option %s in %s(...) is longer than 2040 bytes", name, c.layer)
	}
	o := make([]byte, 8*n)
	o[0], o[1] = t, byte(n)
	copy(o[2:], data)
	return o, nil
}

func (c *valueCtx) ndOptions(n *node) ([]byte, error) {
	items, err := c.optionItems(n)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, it := range items {
		name, col, val, err := c.optName(it)
		if err != nil {
			return nil, err
		}
		o, err := c.ndOption(name, col, val)
		if err != nil {
			return nil, err
		}
		out = append(out, o...)
	}
	return out, nil
}

// ndHopLimit gives an ip6(...) layer carrying neighbour discovery (router
// and neighbour solicitations and advertisements, redirects) hop limit
// 255 unless the spec sets it, as scapy does: receivers drop such
// messages with any other (RFC 4861 6.1, 7.1.1, 8.1).
func (s *Spec) ndHopLimit(builds []build) {
	for li := 0; li+1 < len(s.layers); li++ {
		if s.layers[li].def != ip6Def || s.layers[li+1].def != icmp6Def {
			continue
		}
		if t := builds[li+1].icmp6.msg.Header.TypeCode.Type(); t < 133 || t > 137 {
			continue
		}
		set := false
		for _, x := range s.layers[li].sets {
			set = set || x.f.name == "hlim"
		}
		if !set {
			builds[li].ip6.HopLimit = 255
		}
	}
}
