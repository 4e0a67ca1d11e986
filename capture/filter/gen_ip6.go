package filter

import (
	"golang.org/x/net/bpf"
)

// IPv6 extension headers skipped on the way to the transport header
// (RFC 8200 section 4). Each but the fragment header starts with the next
// header and its length in 8-octet units not counting the first 8; the
// fragment header is always 8 octets, its 13-bit offset in bytes 2-3.
const (
	ip6HopByHop = 0
	ip6Routing  = 43
	ip6DestOpts = 60

	// ip6MaxExt bounds the walk. Classic BPF has no backward jumps, so
	// the loop is unrolled: a transport header behind more extension
	// headers than this is not found (the packet is still "ip6").
	ip6MaxExt = 6
)

// Scratch slots the IPv6 prologue fills for the primitives that need the
// transport header; the rest of the program allocates from slot 3 on.
const (
	slotProto6 = 0 // the upper-layer protocol, later fragments included
	slotTrans6 = 1 // the transport protocol; noTransport for later fragments
	slotOff6   = 2 // offset of the transport header from the network header
	ip6Slots   = 3

	// noTransport is no protocol number: a later fragment has no
	// transport header, so no port and no tcp[...] matches it.
	noTransport = 0x100
)

// isIP6Ext reports whether p is an extension header the walk skips.
func isIP6Ext(p uint32) bool {
	return p == ip6HopByHop || p == ip6Routing || p == ip6DestOpts || p == protoFrag6
}

// useIP6 is called by every primitive that reads the IPv6 prologue's
// slots. The first compilation only records the need; compile then
// starts again with the prologue in front (see compile).
func (g *gen) useIP6() { g.usedIP6 = true }

// ip6Prologue emits, once at the start of the program, the walk of the
// IPv6 extension headers (hop-by-hop, routing, destination options,
// fragment; at most ip6MaxExt of them) and stores what it finds in the
// slotProto6, slotTrans6 and slotOff6 slots. Doing it once keeps each
// "port" to a few instructions however many an expression has. Every
// path stores all three slots: the kernel refuses a program that may
// read a slot before writing it (bpf_check_classic).
//
// Loads beyond the captured bytes end the program with 0, as every
// load does: an IPv6 packet whose extension headers run past the
// snapshot length is rejected by such filters.
func (g *gen) ip6Prologue() {
	nh := uint32(g.lay.nh)
	v6, other, walked, end := g.newLabel(), g.newLabel(), g.newLabel(), g.newLabel()
	g.linkProto(etherIPv6, v6, other)
	g.place(other)
	g.emit(bpf.LoadConstant{Dst: bpf.RegA, Val: noTransport},
		bpf.StoreScratch{Src: bpf.RegA, N: slotProto6},
		bpf.StoreScratch{Src: bpf.RegA, N: slotTrans6},
		bpf.StoreScratch{Src: bpf.RegA, N: slotOff6})
	g.goTo(end)

	g.place(v6)
	g.ldNet(6, 1)
	g.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: 40})
	for i := 0; i < ip6MaxExt; i++ {
		ext, frag, first, later, common := g.newLabel(), g.newLabel(), g.newLabel(), g.newLabel(), g.newLabel()
		for _, p := range []uint32{ip6HopByHop, ip6Routing, ip6DestOpts} {
			next := g.newLabel()
			g.jump(bpf.JumpEqual, p, ext, next)
			g.place(next)
		}
		g.jump(bpf.JumpEqual, protoFrag6, frag, walked)
		// X += 8 * (hdr ext len + 1)
		g.place(ext)
		g.emit(bpf.LoadIndirect{Off: nh + 1, Size: 1},
			bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1},
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 3},
			bpf.ALUOpX{Op: bpf.ALUOpAdd})
		g.goTo(common)
		// Fragment header: X += 8 for a first fragment; a later one
		// names the protocol but carries no transport header.
		g.place(frag)
		g.emit(bpf.LoadIndirect{Off: nh + 2, Size: 2})
		g.jump(bpf.JumpBitsSet, 0xfff8, later, first)
		g.place(later)
		g.emit(bpf.LoadIndirect{Off: nh, Size: 1},
			bpf.StoreScratch{Src: bpf.RegA, N: slotProto6},
			bpf.LoadConstant{Dst: bpf.RegA, Val: noTransport},
			bpf.StoreScratch{Src: bpf.RegA, N: slotTrans6},
			bpf.StoreScratch{Src: bpf.RegX, N: slotOff6})
		g.goTo(end)
		g.place(first)
		g.emit(bpf.TXA{}, bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 8})
		// A holds the new offset: read the next header at the old one.
		g.place(common)
		g.emit(bpf.StoreScratch{Src: bpf.RegA, N: slotOff6},
			bpf.LoadIndirect{Off: nh, Size: 1},
			bpf.LoadScratch{Dst: bpf.RegX, N: slotOff6})
	}
	g.place(walked)
	g.emit(bpf.StoreScratch{Src: bpf.RegA, N: slotProto6},
		bpf.StoreScratch{Src: bpf.RegA, N: slotTrans6},
		bpf.StoreScratch{Src: bpf.RegX, N: slotOff6})
	g.place(end)
}

// ip6Transport tests that an IPv6 packet carries one of protos behind its
// extension headers and is not a later fragment.
func (g *gen) ip6Transport(protos []uint32) test {
	return func(t, f label) error {
		g.useIP6()
		m := g.newLabel()
		g.linkProto(etherIPv6, m, f)
		g.place(m)
		g.emit(bpf.LoadScratch{Dst: bpf.RegA, N: slotTrans6})
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

// ldTransport6 loads size bytes at off in the IPv6 transport header
// (ip6Transport must have passed).
func (g *gen) ldTransport6(off uint32, size int) {
	g.useIP6()
	g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: slotOff6},
		bpf.LoadIndirect{Off: uint32(g.lay.nh) + off, Size: size})
}

// ip6Proto tests "ip6 proto p". An upper-layer protocol is looked for
// behind the extension headers (later fragments included: their
// fragment header names it); an extension header itself is tested as
// the first next header, as libpcap does.
func (g *gen) ip6Proto(p uint32) test {
	return func(t, f label) error {
		m := g.newLabel()
		g.linkProto(etherIPv6, m, f)
		g.place(m)
		if isIP6Ext(p) {
			g.ldNet(6, 1)
		} else {
			g.useIP6()
			g.emit(bpf.LoadScratch{Dst: bpf.RegA, N: slotProto6})
		}
		g.jump(bpf.JumpEqual, p, t, f)
		return nil
	}
}

// loadIP6 emits icmp6[index:size]: the ICMPv6 header starts behind the
// extension headers.
func (g *gen) loadIP6(a *arith) error {
	if a.l.op == "num" {
		if int32(uint32(g.lay.nh)+a.l.val) < 0 {
			return g.errAt(a.pos, "%s[%d] is before the start of the packet", a.proto, int32(a.l.val))
		}
		g.ldTransport6(a.l.val, a.size)
		return nil
	}
	if err := g.value(a.l); err != nil {
		return err
	}
	g.useIP6()
	g.emit(bpf.LoadScratch{Dst: bpf.RegX, N: slotOff6},
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.TAX{},
		bpf.LoadIndirect{Off: uint32(g.lay.nh), Size: a.size})
	return nil
}
