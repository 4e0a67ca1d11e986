package filter

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// label names a place in a program under construction; jumps refer to
// labels and are resolved to offsets once the program is complete.
type label int

// insn is one instruction being assembled. Jumps carry labels instead of
// offsets: a conditional jump (cond != nil) goes to jt or jf, an
// unconditional one (ja) to jt.
type insn struct {
	ins    bpf.Instruction // any non-jump instruction
	cond   *bpf.JumpIf
	condX  *bpf.JumpIfX
	ja     bool
	jt, jf label
}

type asm struct {
	code   []insn
	labels []int // label -> index of the instruction it precedes; -1 unplaced
}

func (a *asm) newLabel() label {
	a.labels = append(a.labels, -1)
	return label(len(a.labels) - 1)
}

func (a *asm) place(l label) { a.labels[l] = len(a.code) }

func (a *asm) emit(ins ...bpf.Instruction) {
	for _, i := range ins {
		a.code = append(a.code, insn{ins: i})
	}
}

// jump emits "if A cond val goto t else goto f".
func (a *asm) jump(c bpf.JumpTest, val uint32, t, f label) {
	a.code = append(a.code, insn{cond: &bpf.JumpIf{Cond: c, Val: val}, jt: t, jf: f})
}

// jumpX emits "if A cond X goto t else goto f".
func (a *asm) jumpX(c bpf.JumpTest, t, f label) {
	a.code = append(a.code, insn{condX: &bpf.JumpIfX{Cond: c}, jt: t, jf: f})
}

func (a *asm) goTo(t label) { a.code = append(a.code, insn{ja: true, jt: t}) }

// resolve turns labels into offsets. Classic BPF conditional jumps reach
// at most 255 instructions ahead; a longer one is routed through an
// unconditional jump (an island) placed within reach where no
// instruction falls through into it. Jumps to the same place share
// islands: a later far jump reuses one already in its reach.
func (a *asm) resolve() ([]bpf.Instruction, error) {
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(a.code); i++ {
			if a.code[i].cond == nil && a.code[i].condX == nil {
				continue
			}
			if a.labels[a.code[i].jt]-i-1 > 255 {
				a.code[i].jt = a.island(i, a.code[i].jt)
				changed = true
			}
			if a.labels[a.code[i].jf]-i-1 > 255 {
				a.code[i].jf = a.island(i, a.code[i].jf)
				changed = true
			}
		}
	}
	out := make([]bpf.Instruction, 0, len(a.code))
	for i, in := range a.code {
		off := func(l label) (uint8, error) {
			d := a.labels[l] - i - 1
			if a.labels[l] < 0 || d < 0 {
				return 0, fmt.Errorf("capture: internal error: bad jump in filter program")
			}
			return uint8(d), nil
		}
		switch {
		case in.ja:
			out = append(out, bpf.Jump{Skip: uint32(a.labels[in.jt] - i - 1)})
		case in.cond != nil, in.condX != nil:
			st, err := off(in.jt)
			if err != nil {
				return nil, err
			}
			sf, err := off(in.jf)
			if err != nil {
				return nil, err
			}
			if in.cond != nil {
				out = append(out, bpf.JumpIf{Cond: in.cond.Cond, Val: in.cond.Val, SkipTrue: st, SkipFalse: sf})
			} else {
				out = append(out, bpf.JumpIfX{Cond: in.condX.Cond, SkipTrue: st, SkipFalse: sf})
			}
		default:
			out = append(out, in.ins)
		}
	}
	return out, nil
}

// island returns a label within reach of the conditional jump at i
// that leads to l: an unconditional jump to l already there, or one
// inserted as far ahead as possible after an instruction that does not
// fall through.
func (a *asm) island(i int, l label) label {
	for j := min(i+256, len(a.code)-1); j > i; j-- {
		if in := a.code[j]; in.ja && in.jt == l {
			n := a.newLabel()
			a.labels[n] = j
			return n
		}
	}
	at := i + 1
	for j := min(i+256, len(a.code)); j > i+1; j-- {
		if p := a.code[j-1]; p.ja || p.cond != nil || p.condX != nil || isRet(p.ins) {
			at = j
			break
		}
	}
	for k, p := range a.labels {
		if p >= at {
			a.labels[k]++
		}
	}
	a.code = slices.Insert(a.code, at, insn{ja: true, jt: l})
	n := a.newLabel()
	a.labels[n] = at
	return n
}
