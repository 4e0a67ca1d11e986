package filter

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/bpf"
)

func (g *gen) prim(n *primNode, t, f label) error {
	q := n.q
	switch q.typ {
	case "":
		if q.dir == "" {
			tst, err := g.protoTest(q.proto, n.pos)
			if err != nil {
				return err
			}
			return tst(t, f)
		}
		return g.host(n, t, f)
	case "host", "net":
		return g.host(n, t, f)
	case "port", "portrange":
		return g.port(n, t, f)
	case "proto":
		return g.protoNum(n, t, f)
	case "less", "greater":
		v, _ := parseNum(n.val.text)
		g.loadLen()
		if q.typ == "less" {
			g.jump(bpf.JumpGreaterThan, v, f, t)
		} else {
			g.jump(bpf.JumpGreaterOrEqual, v, t, f)
		}
		return nil
	case "broadcast", "multicast":
		return g.cast(n, t, f)
	}
	return g.errAt(n.pos, "unsupported primitive %q", q.typ)
}

func (g *gen) loadLen() {
	g.emit(bpf.LoadExtension{Num: bpf.ExtLen})
	if g.lay.kernel {
		g.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: sll2Len})
	}
}

// host compiles host and net primitives for IPv4, IPv6 and MAC addresses.
func (g *gen) host(n *primNode, t, f label) error {
	v := n.val
	if n.q.proto == "ether" || n.q.proto == "link" {
		return g.etherHost(n, t, f)
	}
	addr, bits, err := g.netOf(n)
	if err != nil {
		return err
	}
	cmp := func(off int) test {
		return func(t, f label) error { g.cmpAddr(off, addr, bits, t, f); return nil }
	}
	if addr.Is6() {
		if n.q.proto != "" && n.q.proto != "ip6" {
			return g.errAt(v.pos, "%q is an IPv6 address, not valid with %q", v.text, n.q.proto)
		}
		return g.allOf([]test{g.linkTest(etherIPv6), func(t, f label) error {
			return g.direction(n.q.dir, cmp, 8, 24, t, f)
		}}, t, f)
	}
	var tests []test
	for _, p := range []struct {
		name     string
		et       uint32
		src, dst int
	}{{"ip", etherIP, 12, 16}, {"arp", etherARP, 14, 24}, {"rarp", etherRARP, 14, 24}} {
		if n.q.proto != "" && n.q.proto != p.name {
			continue
		}
		p := p
		tests = append(tests, func(t, f label) error {
			return g.allOf([]test{g.linkTest(p.et), func(t, f label) error {
				return g.direction(n.q.dir, cmp, p.src, p.dst, t, f)
			}}, t, f)
		})
	}
	if len(tests) == 0 {
		return g.errAt(n.pos, "%q qualifier applied to %s", n.q.proto, n.q.kind())
	}
	return g.anyOf(tests, t, f)
}

func (q qual) kind() string {
	if q.typ == "" {
		return "host"
	}
	return q.typ
}

// netOf parses the address of a host or net primitive and its prefix
// length: "10.0.0.1", "10.1" (net 10.1.0.0/16), "10.0.0.0/8",
// "10.0.0.0 mask 255.0.0.0", "2001:db8::/32".
func (g *gen) netOf(n *primNode) (netip.Addr, int, error) {
	v := n.val
	isNet := n.q.typ == "net"
	if strings.Contains(v.text, ":") {
		a, err := netip.ParseAddr(v.text)
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, 0, g.errAt(v.pos, "bad IPv6 address %q", v.text)
		}
		bits := 128
		if n.mask != nil {
			b, err := strconv.Atoi(n.mask.text)
			if err != nil || b > 128 || n.mask.text[0] == '0' && b != 0 {
				return netip.Addr{}, 0, g.errAt(n.mask.pos, "bad IPv6 prefix length %q", n.mask.text)
			}
			bits = b
		}
		if p := netip.PrefixFrom(a, bits); p.Masked().Addr() != a {
			return netip.Addr{}, 0, g.errAt(v.pos, "non-network bits set in \"%s/%d\"", v.text, bits)
		}
		return a, bits, nil
	}
	parts := strings.Split(v.text, ".")
	var b [4]byte
	for i, s := range parts {
		x, err := strconv.ParseUint(s, 10, 8)
		if err != nil || i > 3 {
			if len(parts) == 1 && !isNet {
				return netip.Addr{}, 0, g.errAt(v.pos, "unknown host %q (names are not resolved; give an address)", v.text)
			}
			return netip.Addr{}, 0, g.errAt(v.pos, "bad IPv4 address %q", v.text)
		}
		b[i] = byte(x)
	}
	if len(parts) != 4 && !isNet {
		return netip.Addr{}, 0, g.errAt(v.pos, "bad IPv4 address %q", v.text)
	}
	a := netip.AddrFrom4(b)
	bits := 8 * len(parts)
	if n.mask != nil {
		if mb, err := strconv.Atoi(n.mask.text); err == nil {
			if mb > 32 {
				return netip.Addr{}, 0, g.errAt(n.mask.pos, "bad prefix length %q", n.mask.text)
			}
			bits = mb
		} else {
			m := net.ParseIP(n.mask.text).To4()
			ones, size := net.IPMask(m).Size()
			if m == nil || size != 32 {
				return netip.Addr{}, 0, g.errAt(n.mask.pos, "bad network mask %q", n.mask.text)
			}
			bits = ones
		}
	}
	if netip.PrefixFrom(a, bits).Masked().Addr() != a {
		return netip.Addr{}, 0, g.errAt(v.pos, "non-network bits set in \"%s/%d\"", v.text, bits)
	}
	return a, bits, nil
}

// cmpAddr compares the address at off (from the network header) with
// addr under a prefix of bits, 32 bits at a time.
func (g *gen) cmpAddr(off int, addr netip.Addr, bits int, t, f label) {
	b := addr.AsSlice()
	words := len(b) / 4
	for w := 0; w < words; w++ {
		wb := bits - 32*w
		if wb <= 0 {
			break
		}
		if wb > 32 {
			wb = 32
		}
		mask := ^uint32(0) << (32 - wb)
		val := uint32(b[4*w])<<24 | uint32(b[4*w+1])<<16 | uint32(b[4*w+2])<<8 | uint32(b[4*w+3])
		g.ldNet(off+4*w, 4)
		if mask != ^uint32(0) {
			g.emit(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mask})
		}
		next := t
		if w < words-1 && bits-32*(w+1) > 0 {
			next = g.newLabel()
		}
		g.jump(bpf.JumpEqual, val&mask, next, f)
		if next != t {
			g.place(next)
		}
	}
	if bits == 0 {
		g.goTo(t)
	}
}

// etherHost compiles "ether host/src/dst MAC".
func (g *gen) etherHost(n *primNode, t, f label) error {
	if g.lay.protoOff != 12 || g.lay.nh != 14 {
		return g.errAt(n.pos, "ether addresses need an Ethernet link layer")
	}
	if n.q.typ == "net" {
		return g.errAt(n.pos, "ether net is not valid")
	}
	mac, err := net.ParseMAC(n.val.text)
	if err != nil || len(mac) != 6 {
		return g.errAt(n.val.pos, "bad MAC address %q", n.val.text)
	}
	hi := uint32(mac[0])<<24 | uint32(mac[1])<<16 | uint32(mac[2])<<8 | uint32(mac[3])
	lo := uint32(mac[4])<<8 | uint32(mac[5])
	cmp := func(off int) test {
		return func(t, f label) error {
			m := g.newLabel()
			g.emit(bpf.LoadAbsolute{Off: uint32(off + 2), Size: 4})
			g.jump(bpf.JumpEqual, uint32(mac[2])<<24|uint32(mac[3])<<16|lo, m, f)
			g.place(m)
			g.emit(bpf.LoadAbsolute{Off: uint32(off), Size: 2})
			g.jump(bpf.JumpEqual, hi>>16, t, f)
			return nil
		}
	}
	// Offsets from the start of the frame: destination 0, source 6.
	return g.direction(n.q.dir, cmp, 6, 0, t, f)
}

// cast compiles broadcast and multicast primitives.
func (g *gen) cast(n *primNode, t, f label) error {
	switch {
	case n.q.proto == "ether" && n.q.typ == "broadcast":
		return g.etherHost(&primNode{q: qual{proto: "ether", dir: "dst", typ: "host"},
			val: token{text: "ff:ff:ff:ff:ff:ff", pos: n.pos}, pos: n.pos}, t, f)
	case n.q.proto == "ether" && n.q.typ == "multicast":
		if g.lay.protoOff != 12 || g.lay.nh != 14 {
			return g.errAt(n.pos, "ether multicast needs an Ethernet link layer")
		}
		g.emit(bpf.LoadAbsolute{Off: 0, Size: 1})
		g.jump(bpf.JumpBitsSet, 1, t, f)
		return nil
	case n.q.proto == "ip" && n.q.typ == "multicast":
		return g.allOf([]test{g.linkTest(etherIP), func(t, f label) error {
			g.ldNet(16, 1)
			g.jump(bpf.JumpGreaterOrEqual, 224, t, f)
			return nil
		}}, t, f)
	case n.q.proto == "ip6" && n.q.typ == "multicast":
		return g.allOf([]test{g.linkTest(etherIPv6), func(t, f label) error {
			g.ldNet(24, 1)
			g.jump(bpf.JumpEqual, 0xff, t, f)
			return nil
		}}, t, f)
	}
	return g.errAt(n.pos, "%s %s is not supported", n.q.proto, n.q.typ)
}
