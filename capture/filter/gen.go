package filter

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// gen turns a syntax tree into classic BPF. Boolean nodes compile to
// jumps: boolean(n, t, f) emits code that ends by jumping to t when the
// packet matches n and to f when it does not, so "and", "or" and "not"
// cost no instructions of their own (the scheme of libpcap's gencode.c
// without its optimiser).
type gen struct {
	asm
	lay  linkLayout
	expr string
	mem  int // scratch memory slots in use

	// group compiles runs of IPv4 hosts in an "or" chain together
	// (hostGroup), for the optimiser.
	group bool

	// usedIP6 records that some primitive reads the slots the IPv6
	// extension header walk fills (ip6Prologue).
	usedIP6 bool
}

const (
	etherIP   = 0x0800
	etherIPv6 = 0x86dd
	etherARP  = 0x0806
	etherRARP = 0x8035

	protoICMP   = 1
	protoIGMP   = 2
	protoTCP    = 6
	protoUDP    = 17
	protoFrag6  = 44
	protoICMPv6 = 58
	protoSCTP   = 132
)

// sll2Len is the cooked header user space puts in front of packets read
// from a SOCK_DGRAM socket; "len" in the kernel counts it too so that a
// filter means the same live and on the saved file.
const sll2Len = 20

func (g *gen) errAt(pos int, format string, a ...any) error {
	return &SyntaxError{Expr: g.expr, Pos: pos, Msg: fmt.Sprintf(format, a...)}
}

func (g *gen) boolean(n node, t, f label) error {
	switch n := n.(type) {
	case *boolNode:
		if n.op == "or" {
			return g.anyOfNodes(orOperands(n, nil), t, f)
		}
		m := g.newLabel()
		var err error
		if n.op == "and" {
			err = g.boolean(n.a, m, f)
		} else {
			err = g.boolean(n.a, t, m)
		}
		if err != nil {
			return err
		}
		g.place(m)
		return g.boolean(n.b, t, f)
	case *notNode:
		return g.boolean(n.a, f, t)
	case *primNode:
		return g.prim(n, t, f)
	case *relNode:
		return g.relation(n, t, f)
	}
	return fmt.Errorf("capture: internal error: unknown filter node %T", n)
}

// test is a predicate emitter: code that jumps to t on match, f otherwise.
type test func(t, f label) error

// anyOf emits "a or b or ...".
func (g *gen) anyOf(tests []test, t, f label) error {
	for i, tst := range tests {
		next := f
		if i < len(tests)-1 {
			next = g.newLabel()
		}
		if err := tst(t, next); err != nil {
			return err
		}
		if i < len(tests)-1 {
			g.place(next)
		}
	}
	return nil
}

// allOf emits "a and b and ...".
func (g *gen) allOf(tests []test, t, f label) error {
	for i, tst := range tests {
		next := t
		if i < len(tests)-1 {
			next = g.newLabel()
		}
		if err := tst(next, f); err != nil {
			return err
		}
		if i < len(tests)-1 {
			g.place(next)
		}
	}
	return nil
}

// linkProto tests the link layer's EtherType.
func (g *gen) linkProto(et uint32, t, f label) error {
	switch {
	case g.lay.kernel:
		g.emit(bpf.LoadExtension{Num: bpf.ExtProto})
		g.jump(bpf.JumpEqual, et, t, f)
	case g.lay.protoOff >= 0:
		g.emit(bpf.LoadAbsolute{Off: uint32(g.lay.protoOff), Size: 2})
		g.jump(bpf.JumpEqual, et, t, f)
	case et == etherIP || et == etherIPv6:
		// LINKTYPE_RAW: the IP version nibble says which.
		v := uint32(0x40)
		if et == etherIPv6 {
			v = 0x60
		}
		g.emit(bpf.LoadAbsolute{Off: 0, Size: 1}, bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0})
		g.jump(bpf.JumpEqual, v, t, f)
	default:
		g.goTo(f)
	}
	return nil
}

func (g *gen) linkTest(et uint32) test {
	return func(t, f label) error { return g.linkProto(et, t, f) }
}

// ldNet loads size bytes at off from the network header.
func (g *gen) ldNet(off, size int) {
	g.emit(bpf.LoadAbsolute{Off: uint32(g.lay.nh + off), Size: size})
}

// ip4Proto tests "ip proto p".
func (g *gen) ip4Proto(p uint32) test {
	return func(t, f label) error {
		m := g.newLabel()
		g.linkProto(etherIP, m, f)
		g.place(m)
		g.ldNet(9, 1)
		g.jump(bpf.JumpEqual, p, t, f)
		return nil
	}
}

// notFragment rejects IPv4 fragments other than the first, whose
// transport header is elsewhere.
func (g *gen) notFragment(t, f label) error {
	g.ldNet(6, 2)
	g.jump(bpf.JumpBitsSet, 0x1fff, f, t)
	return nil
}

// protoTest is the test a protocol name stands for on its own.
func (g *gen) protoTest(name string, pos int) (test, error) {
	switch name {
	case "ip":
		return g.linkTest(etherIP), nil
	case "ip6":
		return g.linkTest(etherIPv6), nil
	case "arp":
		return g.linkTest(etherARP), nil
	case "rarp":
		return g.linkTest(etherRARP), nil
	case "icmp":
		return g.ip4Proto(protoICMP), nil
	case "igmp":
		return g.ip4Proto(protoIGMP), nil
	case "icmp6":
		return g.ip6Proto(protoICMPv6), nil
	case "tcp", "udp", "sctp":
		p := map[string]uint32{"tcp": protoTCP, "udp": protoUDP, "sctp": protoSCTP}[name]
		return func(t, f label) error { return g.anyOf([]test{g.ip4Proto(p), g.ip6Proto(p)}, t, f) }, nil
	}
	return nil, g.errAt(pos, "%q needs a qualifier such as host, src or proto", name)
}

// direction emits the src/dst combination of cmp applied at the source
// and destination offsets.
func (g *gen) direction(dir string, cmp func(off int) test, src, dst int, t, f label) error {
	switch dir {
	case "src":
		return cmp(src)(t, f)
	case "dst":
		return cmp(dst)(t, f)
	case "src and dst":
		return g.allOf([]test{cmp(src), cmp(dst)}, t, f)
	}
	return g.anyOf([]test{cmp(src), cmp(dst)}, t, f)
}

func aluOp(op string) bpf.ALUOp {
	return map[string]bpf.ALUOp{"+": bpf.ALUOpAdd, "-": bpf.ALUOpSub, "*": bpf.ALUOpMul, "/": bpf.ALUOpDiv,
		"%": bpf.ALUOpMod, "&": bpf.ALUOpAnd, "|": bpf.ALUOpOr, "^": bpf.ALUOpXor,
		"<<": bpf.ALUOpShiftLeft, ">>": bpf.ALUOpShiftRight}[op]
}

func jumpTest(op string) bpf.JumpTest {
	return map[string]bpf.JumpTest{"==": bpf.JumpEqual, "!=": bpf.JumpNotEqual, ">": bpf.JumpGreaterThan,
		">=": bpf.JumpGreaterOrEqual, "<": bpf.JumpLessThan, "<=": bpf.JumpLessOrEqual}[op]
}
