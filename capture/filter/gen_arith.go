package filter

import (
	"golang.org/x/net/bpf"
)

// loadGuard is the test that must pass before proto[...] can be read:
// the protocol is present and, for transport headers over IPv4, the
// packet is not a later fragment. Link-layer loads need none.
func (g *gen) loadGuard(a *arith) (test, error) {
	switch a.proto {
	case "ether", "link":
		if g.lay.kernel {
			return nil, g.errAt(a.pos, "%s[...] is not available when capturing on all interfaces", a.proto)
		}
		return nil, nil
	case "ip", "ip6", "arp", "rarp":
		return g.protoTest(a.proto, a.pos)
	case "icmp6":
		return g.ip6Transport([]uint32{protoICMPv6}), nil
	case "tcp", "udp", "sctp", "icmp", "igmp":
		p := protoNames[a.proto]
		return func(t, f label) error { return g.allOf([]test{g.ip4Proto(p), g.notFragment}, t, f) }, nil
	}
	return nil, g.errAt(a.pos, "%s[...] is not supported", a.proto)
}

// value emits code leaving the value of a in the accumulator. It may
// clobber X and scratch slots above those in use.
func (g *gen) value(a *arith) error {
	switch a.op {
	case "num":
		g.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: a.val})
	case "len":
		g.loadLen()
	case "neg":
		if err := g.value(a.l); err != nil {
			return err
		}
		g.emit(bpf.NegateA{})
	case "load":
		return g.load(a)
	default:
		if a.r.op == "num" {
			if err := g.value(a.l); err != nil {
				return err
			}
			g.emit(bpf.ALUOpConstant{Op: aluOp(a.op), Val: a.r.val})
			return nil
		}
		k, err := g.alloc(a.pos)
		if err != nil {
			return err
		}
		defer g.free()
		if err := g.value(a.r); err != nil {
			return err
		}
		g.emit(bpf.StoreScratch{Src: bpf.RegA, N: k})
		if err := g.value(a.l); err != nil {
			return err
		}
		g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: k}, bpf.ALUOpX{Op: aluOp(a.op)})
	}
	return nil
}

// load emits proto[index:size]. Transport headers over IPv4 start after
// a variable-length IP header: X holds its length (ldxb 4*([nh]&0xf)).
func (g *gen) load(a *arith) error {
	base := g.lay.nh
	viaX := false
	switch a.proto {
	case "ether", "link":
		base = 0
	case "icmp6":
		return g.loadIP6(a)
	case "tcp", "udp", "sctp", "icmp", "igmp":
		viaX = true
	}
	if a.l.op == "num" {
		// A negative index wraps as in libpcap (ip[-1] is the byte before
		// the IP header), but never to a negative offset: the kernel reads
		// one as an ancillary or SKF_NET_OFF load (filter(2)), not data.
		off := uint32(base) + a.l.val
		if int32(off) < 0 {
			return g.errAt(a.pos, "%s[%d] is before the start of the packet", a.proto, int32(a.l.val))
		}
		if viaX {
			g.emit(bpf.LoadMemShift{Off: uint32(g.lay.nh)}, bpf.LoadIndirect{Off: off, Size: a.size})
		} else {
			g.emit(bpf.LoadAbsolute{Off: off, Size: a.size})
		}
		return nil
	}
	if err := g.value(a.l); err != nil {
		return err
	}
	if viaX {
		k, err := g.alloc(a.pos)
		if err != nil {
			return err
		}
		defer g.free()
		g.emit(bpf.StoreScratch{Src: bpf.RegA, N: k},
			bpf.LoadMemShift{Off: uint32(g.lay.nh)},
			bpf.TXA{},
			bpf.LoadScratch{Dst: bpf.RegX, N: k},
			bpf.ALUOpX{Op: bpf.ALUOpAdd})
	}
	g.emit(bpf.TAX{}, bpf.LoadIndirect{Off: uint32(base), Size: a.size})
	return nil
}
