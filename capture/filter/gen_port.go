package filter

import (
	"strings"

	"golang.org/x/net/bpf"
)

// services are the port names accepted in place of numbers. Names are
// not looked up in /etc/services so that a filter means the same on
// every machine.
var services = map[string]uint32{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "bootps": 67,
	"bootpc": 68, "tftp": 69, "http": 80, "www": 80, "pop3": 110, "ntp": 123, "imap": 143,
	"snmp": 161, "snmptrap": 162, "bgp": 179, "ldap": 389, "https": 443, "syslog": 514,
}

func (g *gen) portNum(tok token, s string) (uint32, error) {
	if v, ok := parseNum(s); ok {
		if v > 65535 {
			return 0, g.errAt(tok.pos, "port %q out of range", s)
		}
		return v, nil
	}
	if v, ok := services[s]; ok {
		return v, nil
	}
	return 0, g.errAt(tok.pos, "unknown port %q", s)
}

// port compiles port and portrange: TCP, UDP and SCTP over IPv4 (first
// fragments only) and over IPv6 behind up to ip6MaxExt extension headers
// (first fragments only). libpcap looks only right after the fixed IPv6
// header, so with extension headers rawkit selects more than tcpdump.
func (g *gen) port(n *primNode, t, f label) error {
	r, err := g.portRangeOf(n)
	if err != nil {
		return err
	}
	return g.ports(n.q, n.pos, []portRange{r}, t, f)
}

// portRange is the ports lo to hi; a single port has lo == hi.
type portRange struct{ lo, hi uint32 }

func (g *gen) portRangeOf(n *primNode) (portRange, error) {
	if n.q.typ != "portrange" {
		p, err := g.portNum(n.val, n.val.text)
		return portRange{p, p}, err
	}
	a, b, ok := strings.Cut(n.val.text, "-")
	if !ok {
		return portRange{}, g.errAt(n.val.pos, "bad port range %q (want LOW-HIGH)", n.val.text)
	}
	lo, err := g.portNum(n.val, a)
	if err != nil {
		return portRange{}, err
	}
	hi, err := g.portNum(n.val, b)
	if err != nil {
		return portRange{}, err
	}
	return portRange{min(lo, hi), max(lo, hi)}, nil
}

// ports compiles port primitives with qualifiers q for each of the
// ranges rs (several: a run of an "or" chain, see hostGroup).
func (g *gen) ports(q qual, pos int, rs []portRange, t, f label) error {
	protos := []uint32{protoSCTP, protoTCP, protoUDP}
	v4, v6 := true, true
	switch q.proto {
	case "":
	case "tcp":
		protos = []uint32{protoTCP}
	case "udp":
		protos = []uint32{protoUDP}
	case "sctp":
		protos = []uint32{protoSCTP}
	case "ip":
		v6 = false
	case "ip6":
		v4 = false
	default:
		return g.errAt(pos, "%q qualifier applied to %s", q.proto, q.typ)
	}
	inRange := func(r portRange, t, f label) {
		lo, hi := r.lo, r.hi
		if lo == hi {
			g.jump(bpf.JumpEqual, lo, t, f)
			return
		}
		m := g.newLabel()
		g.jump(bpf.JumpGreaterOrEqual, lo, m, f)
		g.place(m)
		g.jump(bpf.JumpGreaterThan, hi, f, t)
	}
	var tests []test
	if v6 {
		tests = append(tests, func(t, f label) error {
			cmp := func(off, i int) test {
				return func(t, f label) error { g.ldTransport6(uint32(off), 2); inRange(rs[i], t, f); return nil }
			}
			return g.allOf([]test{g.ip6Transport(protos), func(t, f label) error {
				return g.eachDirection(q.dir, len(rs), cmp, 0, 2, t, f)
			}}, t, f)
		})
	}
	if v4 {
		tests = append(tests, func(t, f label) error {
			cmp := func(off, i int) test {
				return func(t, f label) error {
					g.emit(bpf.LoadMemShift{Off: uint32(g.lay.nh)},
						bpf.LoadIndirect{Off: uint32(g.lay.nh + off), Size: 2})
					inRange(rs[i], t, f)
					return nil
				}
			}
			return g.allOf([]test{g.linkTest(etherIP), g.nextProtoIn(9, protos), g.notFragment, func(t, f label) error {
				return g.eachDirection(q.dir, len(rs), cmp, 0, 2, t, f)
			}}, t, f)
		})
	}
	return g.anyOf(tests, t, f)
}

// nextProtoIn tests the protocol byte at off in the network header
// against a set of values.
func (g *gen) nextProtoIn(off int, protos []uint32) test {
	return func(t, f label) error {
		g.ldNet(off, 1)
		for i, p := range protos {
			next := f
			if i < len(protos)-1 {
				next = g.newLabel()
			}
			g.jump(bpf.JumpEqual, p, t, next)
			if next != f {
				g.place(next)
			}
		}
		return nil
	}
}

var protoNames = map[string]uint32{"icmp": protoICMP, "igmp": protoIGMP, "tcp": protoTCP, "udp": protoUDP,
	"icmp6": protoICMPv6, "sctp": protoSCTP, "esp": 50, "ah": 51, "gre": 47, "pim": 103, "vrrp": 112}

var etherNames = map[string]uint32{"ip": etherIP, "ip6": etherIPv6, "arp": etherARP, "rarp": etherRARP}

// protoNum compiles "proto N", "ip proto N", "ip6 proto N", "ether proto N".
func (g *gen) protoNum(n *primNode, t, f label) error {
	s := n.val.text
	if n.q.proto == "ether" || n.q.proto == "link" {
		v, ok := parseNum(s)
		if !ok {
			v, ok = etherNames[s]
		}
		if !ok || v > 0xffff {
			return g.errAt(n.val.pos, "unknown ether protocol %q", s)
		}
		return g.linkProto(v, t, f)
	}
	v, ok := parseNum(s)
	if !ok {
		v, ok = protoNames[s]
	}
	if !ok || v > 255 {
		return g.errAt(n.val.pos, "unknown protocol %q", s)
	}
	switch n.q.proto {
	case "":
		return g.anyOf([]test{g.ip4Proto(v), g.ip6Proto(v)}, t, f)
	case "ip":
		return g.ip4Proto(v)(t, f)
	case "ip6":
		return g.ip6Proto(v)(t, f)
	}
	return g.errAt(n.pos, "%q qualifier applied to proto", n.q.proto)
}

// relation compiles "arith relop arith". Every header a load reads from
// must be present first: those tests are and-ed in front, so that
// "tcp[13] & 2 != 0" never matches a UDP packet.
func (g *gen) relation(n *relNode, t, f label) error {
	var pre []test
	seen := map[string]bool{}
	var walk func(a *arith) error
	walk = func(a *arith) error {
		if a == nil {
			return nil
		}
		if a.op == "load" && !seen[a.proto] {
			seen[a.proto] = true
			tst, err := g.loadGuard(a)
			if err != nil {
				return err
			}
			if tst != nil {
				pre = append(pre, tst)
			}
		}
		if err := walk(a.l); err != nil {
			return err
		}
		return walk(a.r)
	}
	if err := walk(n.l); err != nil {
		return err
	}
	if err := walk(n.r); err != nil {
		return err
	}
	cmp := func(t, f label) error {
		if n.r.op == "num" {
			if err := g.value(n.l); err != nil {
				return err
			}
			g.jump(jumpTest(n.op), n.r.val, t, f)
			return nil
		}
		k, err := g.alloc(n.pos)
		if err != nil {
			return err
		}
		defer g.free()
		if err := g.value(n.r); err != nil {
			return err
		}
		g.emit(bpf.StoreScratch{Src: bpf.RegA, N: k})
		if err := g.value(n.l); err != nil {
			return err
		}
		g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: k})
		g.jumpX(jumpTest(n.op), t, f)
		return nil
	}
	return g.allOf(append(pre, cmp), t, f)
}

func (g *gen) alloc(pos int) (int, error) {
	if g.mem >= 16 {
		return 0, g.errAt(pos, "expression too complex (needs more than the 16 scratch registers)")
	}
	g.mem++
	return g.mem - 1, nil
}

func (g *gen) free() { g.mem-- }
