package spec

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// specValueCtx is what interpreting one field's value needs for its errors.
type specValueCtx struct {
	spec  string
	layer string
	f     *specField
}

func (c *specValueCtx) errorf(col int, format string, a ...any) error {
	return specErrorf(c.spec, col, format, a...)
}

// values turns the value written for a field into its alternatives: one
// for a plain value, several for lists and ranges of expanding kinds.
// A single value comes back as one, a list's values as alts.
func (c *specValueCtx) values(n *specNode) (one specValue, alts []specValue, err error) {
	switch c.f.kind {
	case kindIPOptions:
		one.x = new(specExt)
		one.x.ipo, err = c.ipOptions(n)
		return one, nil, err
	case kindTCPOptions:
		one.x = new(specExt)
		one.x.tcpo, err = c.tcpOptions(n)
		return one, nil, err
	case kindIP6Options:
		one.x = new(specExt)
		one.x.ip6o, err = c.ip6Options(n)
		return one, nil, err
	case kindND6Options:
		one.x = new(specExt)
		one.x.b, err = c.ndOptions(n)
		return one, nil, err
	case kindAddr6List:
		one.x = new(specExt)
		one.x.a6, err = c.addrList6(n)
		return one, nil, err
	}
	if n.kind == nodeList {
		if len(n.items) == 0 {
			return one, nil, c.errorf(n.col, "empty list for %s in %s(...): give at least one value", c.f.name, c.layer)
		}
		var out []specValue
		for _, it := range n.items {
			if it.key != nil {
				return one, nil, c.errorf(it.key.col, "'=' inside the list of %s in %s(...): a list of values is written [1,2,3]", c.f.name, c.layer)
			}
			if it.val.kind == nodeList {
				return one, nil, c.errorf(it.val.col, "list inside the list of %s in %s(...)", c.f.name, c.layer)
			}
			v, err := c.one(it.val)
			if err != nil {
				return one, nil, err
			}
			out = append(out, v)
		}
		return one, out, nil
	}
	one, err = c.one(n)
	return one, nil, err
}

// one interprets a word or string: a single value or a range.
func (c *specValueCtx) one(n *specNode) (specValue, error) {
	f := c.f
	switch f.kind {
	case kindBytes:
		return specValue{x: &specExt{b: []byte(n.text)}}, nil
	case kindHex:
		s := strings.NewReplacer(" ", "", ":", "", "\t", "").Replace(n.text)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
		b, err := hex.DecodeString(s)
		if err != nil {
			return specValue{}, c.errorf(n.col, "%s=%q in %s(...) is not hex digits in pairs", f.name, n.text, c.layer)
		}
		return specValue{x: &specExt{b: b}}, nil
	}
	if n.kind == nodeString && f.kind != kindAddr && f.kind != kindAddr6 {
		return specValue{}, c.errorf(n.col, "%s in %s(...) takes %s, not a quoted string", f.name, c.layer, specKindWhat(f))
	}
	s := n.text
	switch f.kind {
	case kindAddr:
		return c.addr(n)
	case kindAddr6:
		return c.addr6(n)
	case kindICMP6Type:
		if v, ok := specLookupName(specIcmp6TypeNames, strings.ToLower(s)); ok {
			return specValue{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindICMP6Code:
		if v, ok := specLookupName(specIcmp6CodeNames, strings.ToLower(s)); ok {
			return specValue{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindIPFlags:
		if v, ok := specIpFlagsValue(s); ok {
			return specValue{lo: v, hi: v}, nil
		}
	case kindTCPFlags:
		if v, ok := specTcpFlagsValue(s); ok {
			return specValue{lo: v, hi: v}, nil
		}
	case kindICMPType:
		if v, ok := specLookupName(specIcmpTypeNames, strings.ToLower(s)); ok {
			return specValue{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindICMPCode:
		if v, ok := specLookupCode(strings.ToLower(s)); ok {
			return specValue{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindProto:
		if v, ok := specLookupName(specProtoNames, strings.ToLower(s)); ok {
			return specValue{lo: uint64(v), hi: uint64(v)}, nil
		}
	}
	return c.numberOrRange(n)
}

func specKindWhat(f *specField) string {
	switch f.kind {
	case kindAddr:
		return "an IPv4 address"
	case kindAddr6:
		return "an IPv6 address"
	case kindICMP6Type:
		return "an ICMPv6 type name or number"
	case kindICMP6Code:
		return "an ICMPv6 code name or number"
	case kindIPFlags:
		return "flags (DF, MF, evil joined by +) or a number"
	case kindTCPFlags:
		return "flag letters (" + tcpFlagLetters + ") or a number"
	case kindICMPType:
		return "an ICMP type name or number"
	case kindICMPCode:
		return "an ICMP code name or number"
	case kindProto:
		return "a protocol name or number"
	}
	return "a number"
}

// numberOrRange reads "N" or "LO-HI" within the field's range.
func (c *specValueCtx) numberOrRange(n *specNode) (specValue, error) {
	f, s := c.f, n.text
	if lo, hi, ok := strings.Cut(s, "-"); ok && lo != "" && specIsDigit(lo[0]) {
		a, errA := parseSpecUint(lo)
		b, errB := parseSpecUint(hi)
		if errA == nil && errB == nil {
			if a > f.max || b > f.max {
				return specValue{}, c.errorf(n.col, "%s %s in %s(...) out of range 0-%d", f.name, s, c.layer, f.max)
			}
			if a > b {
				return specValue{}, c.errorf(n.col, "range %s for %s in %s(...) is empty: %d is above %d", s, f.name, c.layer, a, b)
			}
			return specValue{lo: a, hi: b}, nil
		}
	}
	v, err := parseSpecUint(s)
	if err != nil {
		msg := "%s=%s in %s(...) is not " + specKindWhat(f)
		switch f.kind {
		case kindICMPType:
			return specValue{}, c.errorf(n.col, msg+specSuggest(s, specNameList(specIcmpTypeNames)), f.name, s, c.layer)
		case kindICMPCode:
			return specValue{}, c.errorf(n.col, msg+specSuggest(s, specAllCodeNames()), f.name, s, c.layer)
		case kindProto:
			return specValue{}, c.errorf(n.col, msg+specSuggest(s, specNameList(specProtoNames)), f.name, s, c.layer)
		case kindICMP6Type:
			return specValue{}, c.errorf(n.col, msg+specSuggest(s, specNameList(specIcmp6TypeNames)), f.name, s, c.layer)
		case kindICMP6Code:
			return specValue{}, c.errorf(n.col, msg+specSuggest(s, specNameList(specIcmp6CodeNames)), f.name, s, c.layer)
		}
		return specValue{}, c.errorf(n.col, msg, f.name, s, c.layer)
	}
	if v > f.max {
		return specValue{}, c.errorf(n.col, "%s %s in %s(...) out of range 0-%d", f.name, s, c.layer, f.max)
	}
	return specValue{lo: v, hi: v}, nil
}

func specIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseSpecUint reads a decimal number, or hex, octal or binary with a
// 0x, 0o or 0b prefix (a leading zero alone does not mean octal).
func parseSpecUint(s string) (uint64, error) {
	if len(s) > 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			return strconv.ParseUint(s, 0, 64)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// addr reads an address, a range "A-B" (or "A-N", N the last byte) or a
// block "A/N"; a block expands to every address in it.
func (c *specValueCtx) addr(n *specNode) (specValue, error) {
	s := n.text
	bad := func() (specValue, error) {
		return specValue{}, c.errorf(n.col, "%s=%s in %s(...) is not an IPv4 address, range (a.b.c.d-e) or block (a.b.c.d/n)", c.f.name, s, c.layer)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return bad()
		}
		p = p.Masked()
		lo := specAddrNum(p.Addr())
		return specValue{lo: lo, hi: lo + (1<<(32-p.Bits()) - 1)}, nil
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		la, err := netip.ParseAddr(a)
		if err != nil || !la.Is4() {
			return bad()
		}
		lo := specAddrNum(la)
		var hi uint64
		if lb, err := netip.ParseAddr(b); err == nil && lb.Is4() {
			hi = specAddrNum(lb)
		} else if v, err := strconv.ParseUint(b, 10, 8); err == nil {
			hi = lo&^0xff | v
		} else {
			return bad()
		}
		if lo > hi {
			return specValue{}, c.errorf(n.col, "range %s for %s in %s(...) is empty: its start is above its end", s, c.f.name, c.layer)
		}
		return specValue{lo: lo, hi: hi}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return bad()
	}
	v := specAddrNum(a)
	return specValue{lo: v, hi: v}, nil
}

func specAddrNum(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// specIpFlagsValue reads DF, MF and evil (also RB, the reserved bit) joined
// by + or |, in any case.
func specIpFlagsValue(s string) (uint64, bool) {
	if s == "" || specIsDigit(s[0]) {
		return 0, false
	}
	var v uint64
	for s != "" {
		i := strings.IndexAny(s, "+|")
		part := s
		if i >= 0 {
			part, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if part == "" {
			continue
		}
		switch strings.ToUpper(part) {
		case "DF":
			v |= uint64(layers.IPv4DontFragment)
		case "MF":
			v |= uint64(layers.IPv4MoreFragments)
		case "EVIL", "RB", "RESERVED":
			v |= uint64(layers.IPv4EvilBit)
		default:
			return 0, false
		}
	}
	return v, true
}

// specTcpFlagsValue reads letters of FSRPAUECN in any order and case.
func specTcpFlagsValue(s string) (uint64, bool) {
	if s == "" || specIsDigit(s[0]) {
		return 0, false
	}
	var v uint64
	for _, r := range strings.ToUpper(s) {
		i := strings.IndexRune(tcpFlagLetters, r)
		if i < 0 {
			return 0, false
		}
		v |= 1 << i
	}
	return v, true
}
