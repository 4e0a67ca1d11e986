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

// newValues sizes the table for a program of n instructions.
func newValues(n int) *values {
	// Most instructions load or compute a value seen before.
	return &values{ids: make(map[valKey]int32, n/4), keys: make([]valKey, 1, n/4+1)}
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
// register dst and reads the registers in reads. A load that may fall
// outside the packet ends the program (may fault): it can be removed
// only where the same value was loaded before on every path.
type effect struct {
	dst   int
	val   int32
	reads uint32 // bit per register
	fault bool
}

func (vs *values) effectOf(in bpf.Instruction, r *[numRegs]int32) effect {
	dst, reads, fault, _ := use(in)
	return effect{dst: dst, val: vs.valueOf(in, r), reads: reads, fault: fault}
}

// use says which register in writes, which it reads and whether it may
// fault; ok is false for an instruction the optimiser does not model.
func use(in bpf.Instruction) (dst int, reads uint32, fault, ok bool) {
	reg := func(r bpf.Register) int {
		if r == bpf.RegX {
			return regX
		}
		return regA
	}
	const a, x = 1 << regA, 1 << regX
	switch in := in.(type) {
	case bpf.LoadScratch:
		if in.N < 0 || in.N >= 16 {
			break
		}
		return reg(in.Dst), 1 << (regM + in.N), false, true
	case bpf.StoreScratch:
		if in.N < 0 || in.N >= 16 {
			break
		}
		return regM + in.N, 1 << reg(in.Src), false, true
	case bpf.LoadConstant:
		return reg(in.Dst), 0, false, true
	case bpf.LoadAbsolute:
		return regA, 0, true, true
	case bpf.LoadIndirect:
		return regA, x, true, true
	case bpf.LoadMemShift:
		return regX, 0, true, true
	case bpf.LoadExtension:
		return regA, 0, false, true
	case bpf.ALUOpConstant:
		return regA, a, false, true
	case bpf.ALUOpX:
		// Division by X == 0 ends the program.
		return regA, a | x, in.Op == bpf.ALUOpDiv || in.Op == bpf.ALUOpMod, true
	case bpf.NegateA:
		return regA, a, false, true
	case bpf.TAX:
		return regX, a, false, true
	case bpf.TXA:
		return regA, x, false, true
	}
	return regA, 1<<numRegs - 1, true, false
}

// valueOf is the value in writes when the registers hold r.
func (vs *values) valueOf(in bpf.Instruction, r *[numRegs]int32) int32 {
	switch in := in.(type) {
	case bpf.LoadConstant:
		return vs.konst(in.Val)
	case bpf.LoadAbsolute:
		return vs.id(valKey{op: vAbs, n: in.Off, k: uint32(in.Size)})
	case bpf.LoadIndirect:
		return vs.id(valKey{op: vInd, a: r[regX], n: in.Off, k: uint32(in.Size)})
	case bpf.LoadMemShift:
		return vs.id(valKey{op: vMsh, n: in.Off})
	case bpf.LoadExtension:
		return vs.id(valKey{op: vExt, n: uint32(in.Num)})
	case bpf.LoadScratch:
		return r[regM+in.N]
	case bpf.StoreScratch:
		if in.Src == bpf.RegX {
			return r[regX]
		}
		return r[regA]
	case bpf.ALUOpConstant:
		return vs.alu(in.Op, r[regA], vs.konst(in.Val))
	case bpf.ALUOpX:
		return vs.alu(in.Op, r[regA], r[regX])
	case bpf.NegateA:
		return vs.id(valKey{op: vNeg, a: r[regA]})
	case bpf.TAX:
		return r[regA]
	case bpf.TXA:
		return r[regX]
	}
	return vs.newFresh()
}
