package spec

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// valueCtx is what interpreting one field's value needs for its errors.
type valueCtx struct {
	spec  string
	layer string
	f     *field
}

func (c *valueCtx) errorf(col int, format string, a ...any) error {
	return errorf(c.spec, col, format, a...)
}

// values turns the value written for a field into its alternatives: one
// for a plain value, several for lists and ranges of expanding kinds.
// A single value comes back as one, a list's values as alts.
func (c *valueCtx) values(n *node) (one value, alts []value, err error) {
	switch c.f.kind {
	case kindIPOptions:
		one.x = new(ext)
		one.x.ipo, err = c.ipOptions(n)
		return one, nil, err
	case kindTCPOptions:
		one.x = new(ext)
		one.x.tcpo, err = c.tcpOptions(n)
		return one, nil, err
	case kindIP6Options:
		one.x = new(ext)
		one.x.ip6o, err = c.ip6Options(n)
		return one, nil, err
	case kindND6Options:
		one.x = new(ext)
		one.x.b, err = c.ndOptions(n)
		return one, nil, err
	case kindAddr6List:
		one.x = new(ext)
		one.x.a6, err = c.addrList6(n)
		return one, nil, err
	}
	if n.kind == nodeList {
		if len(n.items) == 0 {
			return one, nil, c.errorf(n.col, "empty list for %s in %s(...): give at least one value", c.f.name, c.layer)
		}
		var out []value
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
func (c *valueCtx) one(n *node) (value, error) {
	f := c.f
	switch f.kind {
	case kindBytes:
		return value{x: &ext{b: []byte(n.text)}}, nil
	case kindHex:
		s := strings.NewReplacer(" ", "", ":", "", "\t", "").Replace(n.text)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
		b, err := hex.DecodeString(s)
		if err != nil {
			return value{}, c.errorf(n.col, "%s=%q in %s(...) is not hex digits in pairs", f.name, n.text, c.layer)
		}
		return value{x: &ext{b: b}}, nil
	}
	if n.kind == nodeString && f.kind != kindAddr && f.kind != kindAddr6 {
		return value{}, c.errorf(n.col, "%s in %s(...) takes %s, not a quoted string", f.name, c.layer, kindWhat(f))
	}
	s := n.text
	switch f.kind {
	case kindAddr:
		return c.addr(n)
	case kindAddr6:
		return c.addr6(n)
	case kindICMP6Type:
		if v, ok := lookupName(icmp6TypeNames, strings.ToLower(s)); ok {
			return value{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindICMP6Code:
		if v, ok := lookupName(icmp6CodeNames, strings.ToLower(s)); ok {
			return value{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindIPFlags:
		if v, ok := ipFlagsValue(s); ok {
			return value{lo: v, hi: v}, nil
		}
	case kindTCPFlags:
		if v, ok := tcpFlagsValue(s); ok {
			return value{lo: v, hi: v}, nil
		}
	case kindICMPType:
		if v, ok := lookupName(icmpTypeNames, strings.ToLower(s)); ok {
			return value{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindICMPCode:
		if v, ok := lookupCode(strings.ToLower(s)); ok {
			return value{lo: uint64(v), hi: uint64(v)}, nil
		}
	case kindProto:
		if v, ok := lookupName(protoNames, strings.ToLower(s)); ok {
			return value{lo: uint64(v), hi: uint64(v)}, nil
		}
	}
	return c.numberOrRange(n)
}

func kindWhat(f *field) string {
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
func (c *valueCtx) numberOrRange(n *node) (value, error) {
	f, s := c.f, n.text
	if lo, hi, ok := strings.Cut(s, "-"); ok && lo != "" && isDigit(lo[0]) {
		a, errA := parseSpecUint(lo)
		b, errB := parseSpecUint(hi)
		if errA == nil && errB == nil {
			if a > f.max || b > f.max {
				return value{}, c.errorf(n.col, "%s %s in %s(...) out of range 0-%d", f.name, s, c.layer, f.max)
			}
			if a > b {
				return value{}, c.errorf(n.col, "range %s for %s in %s(...) is empty: %d is above %d", s, f.name, c.layer, a, b)
			}
			return value{lo: a, hi: b}, nil
		}
	}
	v, err := parseSpecUint(s)
	if err != nil {
		msg := "%s=%s in %s(...) is not " + kindWhat(f)
		switch f.kind {
		case kindICMPType:
			return value{}, c.errorf(n.col, msg+suggest(s, nameList(icmpTypeNames)), f.name, s, c.layer)
		case kindICMPCode:
			return value{}, c.errorf(n.col, msg+suggest(s, allCodeNames()), f.name, s, c.layer)
		case kindProto:
			return value{}, c.errorf(n.col, msg+suggest(s, nameList(protoNames)), f.name, s, c.layer)
		case kindICMP6Type:
			return value{}, c.errorf(n.col, msg+suggest(s, nameList(icmp6TypeNames)), f.name, s, c.layer)
		case kindICMP6Code:
			return value{}, c.errorf(n.col, msg+suggest(s, nameList(icmp6CodeNames)), f.name, s, c.layer)
		}
		return value{}, c.errorf(n.col, msg, f.name, s, c.layer)
	}
	if v > f.max {
		return value{}, c.errorf(n.col, "%s %s in %s(...) out of range 0-%d", f.name, s, c.layer, f.max)
	}
	return value{lo: v, hi: v}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

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
func (c *valueCtx) addr(n *node) (value, error) {
	s := n.text
	bad := func() (value, error) {
		return value{}, c.errorf(n.col, "%s=%s in %s(...) is not an IPv4 address, range (a.b.c.d-e) or block (a.b.c.d/n)", c.f.name, s, c.layer)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return bad()
		}
		p = p.Masked()
		lo := addrNum(p.Addr())
		return value{lo: lo, hi: lo + (1<<(32-p.Bits()) - 1)}, nil
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		la, err := netip.ParseAddr(a)
		if err != nil || !la.Is4() {
			return bad()
		}
		lo := addrNum(la)
		var hi uint64
		if lb, err := netip.ParseAddr(b); err == nil && lb.Is4() {
			hi = addrNum(lb)
		} else if v, err := strconv.ParseUint(b, 10, 8); err == nil {
			hi = lo&^0xff | v
		} else {
			return bad()
		}
		if lo > hi {
			return value{}, c.errorf(n.col, "range %s for %s in %s(...) is empty: its start is above its end", s, c.f.name, c.layer)
		}
		return value{lo: lo, hi: hi}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return bad()
	}
	v := addrNum(a)
	return value{lo: v, hi: v}, nil
}

func addrNum(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// ipFlagsValue reads DF, MF and evil (also RB, the reserved bit) joined
// by + or |, in any case.
func ipFlagsValue(s string) (uint64, bool) {
	if s == "" || isDigit(s[0]) {
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

// tcpFlagsValue reads letters of FSRPAUECN in any order and case.
func tcpFlagsValue(s string) (uint64, bool) {
	if s == "" || isDigit(s[0]) {
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
