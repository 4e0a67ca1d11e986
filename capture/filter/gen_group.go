package filter

import (
	"net/netip"
	"strings"
)

// orOperands lists the operands of a chain of "or"s, left to right.
func orOperands(n node, out []node) []node {
	if b, ok := n.(*boolNode); ok && b.op == "or" {
		return orOperands(b.b, orOperands(b.a, out))
	}
	return append(out, n)
}

// anyOfNodes compiles "a or b or ...". With grouping on, each run of
// adjacent IPv4 host and net primitives with the same qualifiers
// compiles as one test per protocol (hostGroup).
func (g *gen) anyOfNodes(ops []node, t, f label) error {
	var tests []test
	for i := 0; i < len(ops); {
		j := i + 1
		if k, ok := groupKey(ops[i]); ok && g.group {
			for j < len(ops) {
				if k2, ok := groupKey(ops[j]); !ok || k2 != k {
					break
				}
				j++
			}
		}
		if j-i > 1 {
			run := make([]*primNode, 0, j-i)
			for _, n := range ops[i:j] {
				run = append(run, n.(*primNode))
			}
			tests = append(tests, func(t, f label) error { return g.hostGroup(run, t, f) })
		} else {
			n := ops[i]
			tests = append(tests, func(t, f label) error { return g.boolean(n, t, f) })
		}
		i = j
	}
	return g.anyOf(tests, t, f)
}

// groupKey says whether n is an IPv4 host or net primitive that
// hostGroup can take, and which others it can go with: those with the
// same protocol and direction.
func groupKey(n node) (qual, bool) {
	p, ok := n.(*primNode)
	if !ok || strings.Contains(p.val.text, ":") {
		return qual{}, false
	}
	q := p.q
	if q.typ != "host" && q.typ != "net" && (q.typ != "" || q.dir == "") {
		return qual{}, false
	}
	switch q.proto {
	case "", "ip", "arp", "rarp":
	default:
		return qual{}, false
	}
	switch q.dir {
	case "", "src or dst":
		return qual{proto: q.proto, dir: "src or dst"}, true
	case "src", "dst":
		return qual{proto: q.proto, dir: q.dir}, true
	}
	return qual{}, false // "src and dst": each host is a pair of tests
}

// hostGroup compiles "host A or host B or ..." (or net) as, for each of
// IPv4, ARP and RARP: the EtherType, then the source address against
// every address, then the destination against every address, instead of
// both addresses against each in turn; the optimiser then loads each
// address once.
//
// The order of the loads is kept: the first address is compared with the
// source, then the destination, as the chain does, so a packet too short
// for the destination is rejected unless its source is the first address,
// as without grouping. After that every load has been done once.
func (g *gen) hostGroup(run []*primNode, t, f label) error {
	type ipNet struct {
		addr netip.Addr
		bits int
	}
	nets := make([]ipNet, len(run))
	for i, n := range run {
		a, bits, err := g.netOf(n)
		if err != nil {
			return err
		}
		nets[i] = ipNet{a, bits}
	}
	q := run[0].q
	var tests []test
	for _, p := range []struct {
		name     string
		et       uint32
		src, dst int
	}{{"ip", etherIP, 12, 16}, {"arp", etherARP, 14, 24}, {"rarp", etherRARP, 14, 24}} {
		if q.proto != "" && q.proto != p.name {
			continue
		}
		cmp := func(off int, n ipNet) test {
			return func(t, f label) error { g.cmpAddr(off, n.addr, n.bits, t, f); return nil }
		}
		var cmps []test
		switch q.dir {
		case "src", "dst":
			off := map[string]int{"src": p.src, "dst": p.dst}[q.dir]
			for _, n := range nets {
				cmps = append(cmps, cmp(off, n))
			}
		default:
			cmps = append(cmps, cmp(p.src, nets[0]), cmp(p.dst, nets[0]))
			for _, off := range []int{p.src, p.dst} {
				for _, n := range nets[1:] {
					cmps = append(cmps, cmp(off, n))
				}
			}
		}
		et := p.et
		tests = append(tests, func(t, f label) error {
			return g.allOf([]test{g.linkTest(et), func(t, f label) error { return g.anyOf(cmps, t, f) }}, t, f)
		})
	}
	return g.anyOf(tests, t, f)
}
