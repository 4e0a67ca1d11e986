package filter

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// liveness computes, backwards, which registers each block reads before
// writing them. With dce set it also drops the instructions of reached
// blocks whose result nothing reads (those that cannot fault or whose
// value every path has loaded before). One backward pass is enough: the
// program has no loops.
func (o *optimizer) liveness(dce bool) {
	for i := len(o.blocks) - 1; i >= 0; i-- {
		b := o.blocks[i]
		if dce && !b.reached {
			continue
		}
		var live uint32
		switch b.kind {
		case kRet:
			if _, ok := b.ret.(bpf.RetA); ok {
				live = 1 << regA
			}
		case kJa:
			live = o.blocks[b.succ[0]].live
		case kCond:
			live = o.blocks[b.succ[0]].live | o.blocks[b.succ[1]].live | 1<<regA
			if b.useX {
				live |= 1 << regX
			}
		}
		for j := len(b.body) - 1; j >= 0; j-- {
			dst, reads, _, _ := use(b.body[j])
			if dce && b.safe[j] && live&(1<<dst) == 0 {
				b.body[j] = nil
				continue
			}
			live = live&^(1<<dst) | reads
		}
		if dce {
			body := b.body[:0]
			for _, in := range b.body {
				if in != nil {
					body = append(body, in)
				}
			}
			b.body = body
		}
		b.live = live
	}
}

// peephole turns "and #k; jeq #0" into "jset #k" with the outcomes
// swapped where A is not read after the test, as libpcap does.
func (o *optimizer) peephole() {
	for _, b := range o.blocks {
		if !b.reached || b.kind != kCond || b.useX || b.op != tEq || b.k != 0 || len(b.body) == 0 {
			continue
		}
		and, ok := b.body[len(b.body)-1].(bpf.ALUOpConstant)
		if !ok || and.Op != bpf.ALUOpAnd || (o.blocks[b.succ[0]].live|o.blocks[b.succ[1]].live)&(1<<regA) != 0 {
			continue
		}
		b.body, b.safe = b.body[:len(b.body)-1], b.safe[:len(b.safe)-1]
		b.op, b.k, b.succ = tSet, and.Val, [2]int{b.succ[1], b.succ[0]}
	}
}

// rejectOnly turns every block from which no path reaches an accepting
// return into "ret #0": whatever it does, a packet entering it is
// dropped (a load outside the packet drops it too). It reports whether
// it changed a reached block.
func (o *optimizer) rejectOnly() bool {
	changed := false
	accepts := make([]bool, len(o.blocks))
	for i := len(o.blocks) - 1; i >= 0; i-- {
		b := o.blocks[i]
		switch b.kind {
		case kRet:
			rc, ok := b.ret.(bpf.RetConstant)
			accepts[i] = !ok || rc.Val != 0
		case kJa:
			accepts[i] = accepts[b.succ[0]]
		case kCond:
			accepts[i] = accepts[b.succ[0]] || accepts[b.succ[1]]
		}
		if !accepts[i] {
			changed = changed || b.reached && (b.kind != kRet || len(b.body) > 0)
			*b = block{kind: kRet, ret: bpf.RetConstant{Val: 0}, in: b.in, reached: b.reached}
		}
	}
	return changed
}

// simplify sends jumps past empty blocks, turns tests whose outcomes go
// to the same place into plain jumps, and merges blocks with the same
// code and successors, working from the end so that merged successors
// make their predecessors equal too.
func (o *optimizer) simplify() {
	fwd := func(b int) int {
		for o.blocks[b].kind == kJa && len(o.blocks[b].body) == 0 {
			b = o.blocks[b].succ[0]
		}
		return b
	}
	canon := make([]int, len(o.blocks))
	seen := map[string]int{}
	var key []byte
	for i := len(o.blocks) - 1; i >= 0; i-- {
		b := o.blocks[i]
		canon[i] = i
		if !b.reached {
			continue
		}
		for j := range b.succ {
			if b.kind == kCond || b.kind == kJa && j == 0 {
				b.succ[j] = canon[fwd(b.succ[j])]
			}
		}
		if b.kind == kCond && b.succ[0] == b.succ[1] {
			b.kind = kJa
		}
		if b.kind == kJa {
			b.succ[1] = 0
		}
		key = b.key(key[:0], i)
		if j, ok := seen[string(key)]; ok {
			canon[i] = j
			continue
		}
		seen[string(key)] = i
	}
	// What is still reached from the entry.
	for _, b := range o.blocks {
		b.reached = false
	}
	first := canon[fwd(0)]
	o.mark(first)
	if first != 0 {
		// The entry must come first: let block 0 jump there.
		o.blocks[0] = &block{kind: kJa, succ: [2]int{first}, reached: true}
	}
}

// key appends to buf what makes two blocks equal: their instructions,
// test and successors. i is the block's number, for what does not
// assemble (not expected of the compiler's code): such a block equals
// no other.
func (b *block) key(buf []byte, i int) []byte {
	for j := 0; j <= len(b.body); j++ {
		in := b.ret
		if j < len(b.body) {
			in = b.body[j]
		} else if in == nil {
			break
		}
		raw, err := in.Assemble()
		if err != nil {
			buf = fmt.Appendf(buf, "%d", i)
		}
		buf = binary.BigEndian.AppendUint16(buf, raw.Op)
		buf = binary.BigEndian.AppendUint32(buf, raw.K)
	}
	buf = append(buf, byte(b.kind), byte(b.op))
	if b.useX {
		buf = append(buf, 'x')
	}
	buf = binary.BigEndian.AppendUint32(buf, b.k)
	buf = binary.BigEndian.AppendUint32(buf, uint32(b.succ[0]))
	return binary.BigEndian.AppendUint32(buf, uint32(b.succ[1]))
}

func (o *optimizer) mark(i int) {
	b := o.blocks[i]
	if b.reached {
		return
	}
	b.reached = true
	switch b.kind {
	case kJa:
		o.mark(b.succ[0])
	case kCond:
		o.mark(b.succ[0])
		o.mark(b.succ[1])
	}
}

// layout emits the reached blocks in program order, leaving out jumps
// to the block that follows.
func (o *optimizer) layout() *asm {
	a := &asm{code: make([]insn, 0, 2*len(o.blocks)), labels: make([]int, 0, len(o.blocks))}
	labels := make([]label, len(o.blocks))
	for i := range labels {
		labels[i] = a.newLabel()
	}
	var order []int
	for i, b := range o.blocks {
		if b.reached {
			order = append(order, i)
		}
	}
	for n, i := range order {
		b := o.blocks[i]
		a.place(labels[i])
		a.emit(b.body...)
		switch b.kind {
		case kRet:
			a.emit(b.ret)
		case kJa:
			if n+1 == len(order) || order[n+1] != b.succ[0] {
				a.goTo(labels[b.succ[0]])
			}
		case kCond:
			if b.useX {
				a.jumpX(b.op.cond(), labels[b.succ[0]], labels[b.succ[1]])
			} else {
				a.jump(b.op.cond(), b.k, labels[b.succ[0]], labels[b.succ[1]])
			}
		}
	}
	return a
}
