package spec

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/rawkit/rawkit/craft"
)

// Values of IPv6 fields. An IPv6 address is a value whose lo and hi
// are its low 64 bits and whose x.b holds the high 64, so that ranges
// (fd00::1-fd00::9, fd00::1-9) and blocks (fd00::/120) expand over the
// interface identifier as IPv4 ones do over the whole address.

func addrHigh(a netip.Addr) ([8]byte, uint64) {
	b := a.As16()
	return [8]byte(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func is6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() && a.Zone() == "" }

// addr6 reads an IPv6 address, a range "A-B" (B an address or the last
// group in hex) or a block "A/N" with N at least 64.
func (c *valueCtx) addr6(n *node) (value, error) {
	s := n.text
	bad := func() (value, error) {
		return value{}, c.errorf(n.col, "%s=%s in %s(...) is not an IPv6 address, range (fd00::1-fd00::9 or fd00::1-9) or block (fd00::/120)", c.f.name, s, c.layer)
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || !is6(p.Addr()) {
			return bad()
		}
		if p.Bits() < 64 {
			return value{}, c.errorf(n.col, "block %s for %s in %s(...) is too large: give a prefix of /64 or longer", s, c.f.name, c.layer)
		}
		hi, lo := addrHigh(p.Masked().Addr())
		return value{lo: lo, hi: lo | (1<<(128-p.Bits()) - 1), x: &ext{h6: hi}}, nil
	}
	if a, b, ok := strings.Cut(s, "-"); ok {
		la, err := netip.ParseAddr(a)
		if err != nil || !is6(la) {
			return bad()
		}
		high, lo := addrHigh(la)
		var hi uint64
		if lb, err := netip.ParseAddr(b); err == nil && is6(lb) {
			hb, l := addrHigh(lb)
			if hb != high {
				return value{}, c.errorf(n.col, "range %s for %s in %s(...) spans more than the last 64 bits", s, c.f.name, c.layer)
			}
			hi = l
		} else if v, err := strconv.ParseUint(b, 16, 16); err == nil {
			hi = lo&^0xffff | v
		} else {
			return bad()
		}
		if lo > hi {
			return value{}, c.errorf(n.col, "range %s for %s in %s(...) is empty: its start is above its end", s, c.f.name, c.layer)
		}
		return value{lo: lo, hi: hi, x: &ext{h6: high}}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !is6(a) {
		return bad()
	}
	high, lo := addrHigh(a)
	return value{lo: lo, hi: lo, x: &ext{h6: high}}, nil
}

// addrList6 reads a list of single IPv6 addresses.
func (c *valueCtx) addrList6(n *node) ([]net.IP, error) {
	items, err := c.optionItems(n)
	if err != nil {
		return nil, c.errorf(n.col, "%s in %s(...) is a list of IPv6 addresses such as [fd00::1, fd00::2]", c.f.name, c.layer)
	}
	out := make([]net.IP, 0, len(items))
	for _, it := range items {
		if it.key != nil || it.val.kind == nodeList {
			return nil, c.errorf(it.val.col, "%s in %s(...) is a list of IPv6 addresses such as [fd00::1, fd00::2]", c.f.name, c.layer)
		}
		a, err := netip.ParseAddr(it.val.text)
		if err != nil || !is6(a) {
			return nil, c.errorf(it.val.col, "%s in %s(...) is not an IPv6 address", it.val.text, c.layer)
		}
		out = append(out, a.AsSlice())
	}
	return out, nil
}

var ip6OptionNames = []string{"pad1", "padn", "ra", "jumbo"}

// ip6Options reads hop-by-hop or destination options (RFC 8200 4.2).
func (c *valueCtx) ip6Options(n *node) ([]craft.IPv6Option, error) {
	items, err := c.optionItems(n)
	if err != nil {
		return nil, err
	}
	opts := []craft.IPv6Option{}
	for _, it := range items {
		name, col, val, err := c.optName(it)
		if err != nil {
			return nil, err
		}
		var o craft.IPv6Option
		switch name {
		case "pad1":
			o.Type = 0
		case "padn":
			v, err := c.optNum(val, name, 0, 253)
			if err != nil {
				return nil, err
			}
			o = craft.IPv6Option{Type: 1, Data: make([]byte, v)}
		case "ra": // router alert, RFC 2711
			v, err := c.optNum(val, name, 0, 65535)
			if err != nil {
				return nil, err
			}
			o = craft.IPv6Option{Type: 5, Data: binary.BigEndian.AppendUint16(nil, uint16(v))}
		case "jumbo": // RFC 2675
			v, err := c.optNum(val, name, 0, 1<<32-1)
			if err != nil {
				return nil, err
			}
			o = craft.IPv6Option{Type: 0xc2, Data: binary.BigEndian.AppendUint32(nil, uint32(v))}
		default:
			if name == "" || !isDigit(name[0]) {
				return nil, c.unknownOption(name, col, ip6OptionNames)
			}
			t, data, err := c.optHex(name, col, val, 255)
			if err != nil {
				return nil, c.errorf(col, "option %s in %s(...): TYPE must be 0-255", name, c.layer)
			}
			o = craft.IPv6Option{Type: t, Data: data}
		}
		o.Length = uint8(len(o.Data))
		opts = append(opts, o)
	}
	return opts, nil
}

func ip6OptsString(o []craft.IPv6Option) string {
	if len(o) == 0 {
		return "[]"
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i, x := range o {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(int(x.Type)))
		if x.Type != 0 {
			sb.WriteByte('=')
			sb.WriteString(strings.TrimPrefix(strconv.Quote(string(x.Data)), ""))
		}
	}
	sb.WriteByte(']')
	return sb.String()
}

// parsePrefix6 reads ADDR/LEN for a prefix information option.
func parsePrefix6(s string) ([16]byte, uint8, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !is6(p.Addr()) {
		return [16]byte{}, 0, false
	}
	return p.Addr().As16(), uint8(p.Bits()), true
}
