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
// compiles as one test per protocol (hostGroup), and so does each run
// of port and portrange primitives.
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
			tests = append(tests, func(t, f label) error { return g.groupOf(run, t, f) })
		} else {
			n := ops[i]
			tests = append(tests, func(t, f label) error { return g.boolean(n, t, f) })
		}
		i = j
	}
	return g.anyOf(tests, t, f)
}

// groupKey says whether n is a primitive that groupOf can take, and
// which others it can go with: IPv4 hosts and nets with the same
// protocol and direction, or ports and port ranges likewise.
func groupKey(n node) (qual, bool) {
	p, ok := n.(*primNode)
	if !ok {
		return qual{}, false
	}
	q := p.q
	switch {
	case q.typ == "port" || q.typ == "portrange":
		switch q.proto {
		case "", "tcp", "udp", "sctp", "ip", "ip6":
		default:
			return qual{}, false
		}
		q.typ = "port"
	case q.typ == "host" || q.typ == "net" || q.typ == "" && q.dir != "":
		switch q.proto {
		case "", "ip", "arp", "rarp":
		default:
			return qual{}, false
		}
		if strings.Contains(p.val.text, ":") {
			return qual{}, false
		}
		q.typ = "host"
	default:
		return qual{}, false
	}
	switch q.dir {
	case "", "src or dst":
		q.dir = "src or dst"
	case "src", "dst":
	default:
		return qual{}, false // "src and dst": each value is a pair of tests
	}
	return q, true
}

// groupOf compiles a run of primitives groupKey puts together.
func (g *gen) groupOf(run []*primNode, t, f label) error {
	q, _ := groupKey(run[0])
	if q.typ == "host" {
		return g.hostGroup(run, t, f)
	}
	rs := make([]portRange, len(run))
	for i, n := range run {
		r, err := g.portRangeOf(n)
		if err != nil {
			return err
		}
		rs[i] = r
	}
	return g.ports(run[0].q, run[0].pos, rs, t, f)
}

// eachDirection emits the comparisons cmp(off, i) of each of n values at
// the source offset src and the destination offset dst, as the
// direction dir asks: "src or dst" compares the first value with the
// source then the destination, as one primitive does, and only then the
// others, so that the loads happen in the order of the primitives one by
// one. "src and dst" takes one value.
func (g *gen) eachDirection(dir string, n int, cmp func(off, i int) test, src, dst int, t, f label) error {
	var tests []test
	switch dir {
	case "src", "dst":
		off := map[string]int{"src": src, "dst": dst}[dir]
		for i := 0; i < n; i++ {
			tests = append(tests, cmp(off, i))
		}
	case "src and dst":
		return g.allOf([]test{cmp(src, 0), cmp(dst, 0)}, t, f)
	default:
		tests = append(tests, cmp(src, 0), cmp(dst, 0))
		for _, off := range []int{src, dst} {
			for i := 1; i < n; i++ {
				tests = append(tests, cmp(off, i))
			}
		}
	}
	return g.anyOf(tests, t, f)
}

// hostGroup compiles "host A or host B or ..." (or net) as, for each of
// IPv4, ARP and RARP: the EtherType, then the source address against
// every address, then the destination against every address, instead of
// both addresses against each in turn; the optimiser then loads each
// address once.
//
// The order of the loads is kept (eachDirection): a packet too short for
// the destination is rejected unless its source is the first address,
// as without grouping.
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
		cmp := func(off, i int) test {
			return func(t, f label) error { g.cmpAddr(off, nets[i].addr, nets[i].bits, t, f); return nil }
		}
		p := p
		tests = append(tests, func(t, f label) error {
			return g.allOf([]test{g.linkTest(p.et), func(t, f label) error {
				return g.eachDirection(q.dir, len(nets), cmp, p.src, p.dst, t, f)
			}}, t, f)
		})
	}
	return g.anyOf(tests, t, f)
}
