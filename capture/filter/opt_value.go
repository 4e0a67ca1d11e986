package filter

import (
	"golang.org/x/net/bpf"
)

// The optimiser names every value a register or scratch slot can hold
// (value numbering): two loads of the same packet bytes, or the same
// operation on the same values, get the same number, so that a second
// load of what A already holds is seen to be redundant and a test on a
// value already tested on every path to it has a known outcome.

type valOp uint8

const (
	vConst valOp = iota + 1 // k
	vAbs                    // packet[n:k] (k = size)
	vInd                    // packet[X + n : k], a = X's value
	vMsh                    // 4*(packet[n]&0xf)
	vExt                    // ancillary field n
	vALU                    // a op k (n = op)
	vALUX                   // a op b (n = op)
	vNeg                    // -a
	vPhi                    // what register n holds on entry to block k
	vFresh                  // a value nothing is known of (k = serial)
)

type valKey struct {
	op   valOp
	a, b int32
	n, k uint32
}

// values hash-conses value keys to numbers; 0 is no value.
type values struct {
	ids   map[valKey]int32
	keys  []valKey
	fresh uint32
}

func newValues() *values {
	return &values{ids: map[valKey]int32{}, keys: []valKey{{}}}
}

func (vs *values) id(k valKey) int32 {
	if id, ok := vs.ids[k]; ok {
		return id
	}
	id := int32(len(vs.keys))
	vs.keys = append(vs.keys, k)
	vs.ids[k] = id
	return id
}

func (vs *values) konst(k uint32) int32 { return vs.id(valKey{op: vConst, k: k}) }

func (vs *values) newFresh() int32 {
	vs.fresh++
	return vs.id(valKey{op: vFresh, k: vs.fresh})
}

// constOf reports the constant a value number stands for.
func (vs *values) constOf(v int32) (uint32, bool) {
	k := vs.keys[v]
	return k.k, k.op == vConst
}

// alu is a op k, folded when both are known. Division and modulo by a
// constant zero never reach here (the compiler refuses them) but are not
// folded either.
func (vs *values) alu(op bpf.ALUOp, a int32, b int32) int32 {
	x, okA := vs.constOf(a)
	y, okB := vs.constOf(b)
	if okA && okB {
		if r, ok := foldALU(op, x, y); ok {
			return vs.konst(r)
		}
	}
	if okB {
		return vs.id(valKey{op: vALU, a: a, n: uint32(op), k: y})
	}
	return vs.id(valKey{op: vALUX, a: a, b: b, n: uint32(op)})
}

func foldALU(op bpf.ALUOp, x, y uint32) (uint32, bool) {
	switch op {
	case bpf.ALUOpAdd:
		return x + y, true
	case bpf.ALUOpSub:
		return x - y, true
	case bpf.ALUOpMul:
		return x * y, true
	case bpf.ALUOpDiv:
		return x / y, y != 0
	case bpf.ALUOpMod:
		return x % y, y != 0
	case bpf.ALUOpAnd:
		return x & y, true
	case bpf.ALUOpOr:
		return x | y, true
	case bpf.ALUOpXor:
		return x ^ y, true
	case bpf.ALUOpShiftLeft:
		return x << y, y < 32
	case bpf.ALUOpShiftRight:
		return x >> y, y < 32
	}
	return 0, false
}

// Registers as the optimiser numbers them: A, X, then the 16 scratch
// slots.
const (
	regA    = 0
	regX    = 1
	regM    = 2
	numRegs = regM + 16
)

// effect is what one non-jump instruction does: it writes value val to
// register dst (-1: none) and reads the registers in reads. A load that
// may fall outside the packet ends the program (may fault): it can be
// removed only where the same value was loaded before on every path.
type effect struct {
	dst   int
	val   int32
	reads uint32 // bit per register
	fault bool
}

// effectOf computes what in does when the registers hold r.
func (vs *values) effectOf(in bpf.Instruction, r *[numRegs]int32) effect {
	bit := func(reg int) uint32 { return 1 << reg }
	switch in := in.(type) {
	case bpf.LoadConstant:
		dst := regA
		if in.Dst == bpf.RegX {
			dst = regX
		}
		return effect{dst: dst, val: vs.konst(in.Val)}
	case bpf.LoadAbsolute:
		return effect{dst: regA, val: vs.id(valKey{op: vAbs, n: in.Off, k: uint32(in.Size)}), fault: true}
	case bpf.LoadIndirect:
		return effect{dst: regA, val: vs.id(valKey{op: vInd, a: r[regX], n: in.Off, k: uint32(in.Size)}), reads: bit(regX), fault: true}
	case bpf.LoadMemShift:
		return effect{dst: regX, val: vs.id(valKey{op: vMsh, n: in.Off}), fault: true}
	case bpf.LoadExtension:
		return effect{dst: regA, val: vs.id(valKey{op: vExt, n: uint32(in.Num)})}
	case bpf.LoadScratch:
		dst := regA
		if in.Dst == bpf.RegX {
			dst = regX
		}
		return effect{dst: dst, val: r[regM+in.N], reads: bit(regM + in.N)}
	case bpf.StoreScratch:
		src := regA
		if in.Src == bpf.RegX {
			src = regX
		}
		return effect{dst: regM + in.N, val: r[src], reads: bit(src)}
	case bpf.ALUOpConstant:
		return effect{dst: regA, val: vs.alu(in.Op, r[regA], vs.konst(in.Val)), reads: bit(regA)}
	case bpf.ALUOpX:
		fault := in.Op == bpf.ALUOpDiv || in.Op == bpf.ALUOpMod // by X == 0 ends the program
		return effect{dst: regA, val: vs.alu(in.Op, r[regA], r[regX]), reads: bit(regA) | bit(regX), fault: fault}
	case bpf.NegateA:
		return effect{dst: regA, val: vs.id(valKey{op: vNeg, a: r[regA]}), reads: bit(regA)}
	case bpf.TAX:
		return effect{dst: regX, val: r[regA], reads: bit(regA)}
	case bpf.TXA:
		return effect{dst: regA, val: r[regX], reads: bit(regX)}
	}
	// Anything else: a value nothing is known of, read of everything,
	// never removed.
	return effect{dst: regA, val: vs.newFresh(), reads: 1<<numRegs - 1, fault: true}
}
