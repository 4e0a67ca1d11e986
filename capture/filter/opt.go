package filter

import (
	"golang.org/x/net/bpf"
)

// The optimiser shrinks the code gen emits without changing what any
// packet gets, truncated ones included, in the manner of libpcap's
// optimize.c (its code is not used):
//
//   - a load of what a register already holds is dropped (the EtherType
//     loaded once per path, not once per primitive);
//   - a jump into a block whose test is decided by what every path to the
//     jump has tested goes straight to the block's decided successor
//     (jump threading): once "ether proto ip" has held, "ether proto arp"
//     is not tested again;
//   - code whose result no later instruction reads is dropped, and
//     blocks no path reaches;
//   - blocks with the same code and the same successors are merged.
//
// A load may fall outside the captured bytes, which ends the program
// with 0; such a load is removed or skipped only where the same value
// was loaded on every path before it, so that truncated packets get what
// the unoptimised program gives them.

type termKind uint8

const (
	kRet termKind = iota + 1
	kJa
	kCond
)

type block struct {
	body []bpf.Instruction
	safe []bool // body[i] can be removed without changing faults
	kind termKind
	ret  bpf.Instruction
	op   testOp
	k    uint32
	useX bool   // the test compares A with X, not with k
	succ [2]int // kJa: succ[0]; kCond: when true, when false

	in      []*state // states of the edges into the block
	live    uint32   // registers read before written from the block on
	reached bool
}

type optimizer struct {
	vs     *values
	blocks []*block
}

// optimize returns a's program optimised, or a itself when it holds an
// instruction the optimiser does not model. When code turned out to lead
// only to rejects after the forward pass, a second round sees what that
// opened up (an EtherType load made redundant once the IPv6 branch
// before it has become a plain reject, say).
func optimize(a *asm) *asm {
	for round := 0; round < 3; round++ {
		b, pruned := optimizeOnce(a)
		if len(b.code) > len(a.code) {
			return a
		}
		a = b
		if !pruned {
			break
		}
	}
	return a
}

func optimizeOnce(a *asm) (*asm, bool) {
	o := &optimizer{vs: newValues(len(a.code))}
	if !o.build(a) {
		return a, false
	}
	o.rejectOnly()
	o.liveness(false)
	o.forward()
	o.liveness(true)
	o.peephole()
	pruned := o.rejectOnly()
	o.simplify()
	return o.layout(), pruned
}

// build cuts a's code into basic blocks.
func (o *optimizer) build(a *asm) bool {
	n := len(a.code)
	leader := make([]bool, n+1)
	leader[0] = true
	for _, p := range a.labels {
		if p >= 0 && p <= n {
			leader[p] = true
		}
	}
	for i, in := range a.code {
		if in.ja || in.cond != nil || in.condX != nil || isRet(in.ins) {
			leader[i+1] = true
		}
	}
	blockAt := make([]int, n+1)
	nb := 0
	for i := 0; i <= n; i++ {
		if leader[i] && i < n {
			nb++
		}
		blockAt[i] = nb - 1
	}
	// One array holds every block and every body, each body a window of
	// its own capacity.
	blocks, bodies := make([]block, nb), make([]bpf.Instruction, 0, n)
	o.blocks = make([]*block, nb)
	for i := range blocks {
		o.blocks[i] = &blocks[i]
	}
	for i, in := range a.code {
		b := o.blocks[blockAt[i]]
		switch {
		case in.ja:
			b.kind, b.succ[0] = kJa, blockAt[a.labels[in.jt]]
		case in.cond != nil || in.condX != nil:
			c := bpf.JumpTest(0)
			if in.cond != nil {
				c, b.k = in.cond.Cond, in.cond.Val
			} else {
				c, b.useX = in.condX.Cond, true
			}
			op, neg := normTest(c)
			if op == 0 {
				return false
			}
			b.kind, b.op, b.succ = kCond, op, [2]int{blockAt[a.labels[in.jt]], blockAt[a.labels[in.jf]]}
			if neg {
				b.succ[0], b.succ[1] = b.succ[1], b.succ[0]
			}
		case isRet(in.ins):
			b.kind, b.ret = kRet, in.ins
		default:
			if _, _, _, ok := use(in.ins); !ok {
				return false
			}
			if len(b.body) == 0 {
				b.body = bodies[len(bodies):]
			}
			bodies = append(bodies, in.ins)
			b.body = b.body[:len(b.body)+1]
			if leader[i+1] {
				if i+1 == n {
					return false // falls off the end
				}
				b.kind, b.succ[0] = kJa, blockAt[i+1]
			}
		}
	}
	for _, b := range o.blocks {
		b.body = b.body[:len(b.body):len(b.body)]
	}
	return len(o.blocks) > 0
}

func isRet(in bpf.Instruction) bool {
	switch in.(type) {
	case bpf.RetConstant, bpf.RetA:
		return true
	}
	return false
}

// forward walks the blocks in program order, which is a topological
// order since every jump goes forward: each block's entry state is met
// from its incoming edges before it is visited, and its outgoing edges
// are threaded past the blocks they need not enter.
func (o *optimizer) forward() {
	init := &state{}
	// A and X start at 0: the kernel clears them before a classic program
	// (bpf_convert_filter in net/core/filter.c), as Filter.Run does.
	init.r[regA], init.r[regX] = o.vs.konst(0), o.vs.konst(0)
	for i := regM; i < numRegs; i++ {
		init.r[i] = o.vs.newFresh()
	}
	o.blocks[0].in = []*state{init}
	for i, b := range o.blocks {
		if len(b.in) == 0 {
			continue
		}
		b.reached = true
		if b.kind == kRet && len(b.body) == 0 {
			b.in = nil
			continue
		}
		s := meet(o.vs, i, b.in)
		b.in = nil
		o.execBody(b, s)
		switch b.kind {
		case kJa:
			o.send(b, 0, s)
		case kCond:
			o.branch(b, s)
		}
	}
}

// execBody runs b's body in state s, dropping instructions that give a
// register the value it holds.
func (o *optimizer) execBody(b *block, s *state) {
	body, safe := b.body[:0], make([]bool, 0, len(b.body))
	for _, in := range b.body {
		e := o.vs.effectOf(in, &s.r)
		if s.r[e.dst] == e.val {
			continue // the register holds that value already
		}
		safe = append(safe, !e.fault || s.isAvail(e.val))
		if e.fault {
			s.setAvail(e.val)
		}
		s.r[e.dst] = e.val
		body = append(body, in)
	}
	b.body, b.safe = body, safe
}

// branch sends the outgoing edges of b, a test, in state s: to the
// decided successor alone if s decides the test or the test is not
// needed, else to both with what each outcome teaches.
func (o *optimizer) branch(b *block, s *state) {
	t := b.testIn(&s.r)
	if out, ok := s.known(o.vs, t); ok {
		b.kind = kJa
		if !out {
			b.succ[0] = b.succ[1]
		}
		o.send(b, 0, s)
		return
	}
	st := s.clone()
	st.learn(o.vs, t, true)
	before := len(s.facts)
	sf := s
	sf.learn(o.vs, t, false)
	// A test is not needed when one outcome returns and the other
	// successor, entered on that outcome, returns the same way. The walk
	// is short: a long chain of decided tests, such as the rest of a host
	// list once one address has matched, is not followed to its end,
	// which would make the pass quadratic.
	const near = 8
	if o.blocks[b.succ[0]].kind == kRet && o.follow(b.succ[1], st, near) == b.succ[0] {
		b.kind, b.succ[0] = kJa, b.succ[1]
		s.facts = s.facts[:before] // s without the outcome
		o.send(b, 0, s)
		return
	}
	if o.blocks[b.succ[1]].kind == kRet && o.follow(b.succ[0], sf, near) == b.succ[1] {
		b.kind = kJa
		s.facts = s.facts[:before]
		o.send(b, 0, s)
		return
	}
	o.send(b, 0, st)
	o.send(b, 1, sf)
}

func (b *block) testIn(r *[numRegs]int32) testKey {
	t := testKey{op: b.op, a: r[regA], k: b.k}
	if b.useX {
		t.b, t.k = r[regX], 0
	}
	return t
}
