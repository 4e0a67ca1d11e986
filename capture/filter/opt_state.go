package filter

import (
	"slices"

	"golang.org/x/net/bpf"
)

// testOp is a comparison in normal form: every classic BPF jump is one
// of these, possibly with its outcomes swapped (A < k is !(A >= k)).
type testOp uint8

const (
	tEq  testOp = iota + 1 // A == k
	tGt                    // A > k
	tGe                    // A >= k
	tSet                   // A & k != 0
)

// normTest puts a jump condition in normal form; neg says the outcomes
// are swapped.
func normTest(c bpf.JumpTest) (op testOp, neg bool) {
	switch c {
	case bpf.JumpEqual:
		return tEq, false
	case bpf.JumpNotEqual:
		return tEq, true
	case bpf.JumpGreaterThan:
		return tGt, false
	case bpf.JumpLessThan:
		return tGe, true
	case bpf.JumpGreaterOrEqual:
		return tGe, false
	case bpf.JumpLessOrEqual:
		return tGt, true
	case bpf.JumpBitsSet:
		return tSet, false
	case bpf.JumpBitsNotSet:
		return tSet, true
	}
	return 0, false
}

func (op testOp) cond() bpf.JumpTest {
	switch op {
	case tEq:
		return bpf.JumpEqual
	case tGt:
		return bpf.JumpGreaterThan
	case tGe:
		return bpf.JumpGreaterOrEqual
	}
	return bpf.JumpBitsSet
}

func (op testOp) eval(a, k uint32) bool {
	switch op {
	case tEq:
		return a == k
	case tGt:
		return a > k
	case tGe:
		return a >= k
	}
	return a&k != 0
}

// testKey is a test of value a against the constant k, or against the
// value b when b != 0 (a jump on X).
type testKey struct {
	op   testOp
	a, b int32
	k    uint32
}

// fact is the outcome of a test on a path.
type fact struct {
	t   testKey
	out bool
}

// state is what the optimiser knows at a point of the program: the
// value in each register, the outcomes of the tests made on every path
// to the point, and the values loaded on every path (a load of those
// cannot fall outside the packet). Both lists are short (maxFacts), so
// they are slices scanned in full.
type state struct {
	r     [numRegs]int32
	facts []fact
	avail []int32
}

// Facts beyond maxFacts, or beyond maxFactsPerValue about one value, are
// not recorded (which only loses precision), so that copying a state
// stays cheap on long chains of tests, such as a list of 200 hosts
// (where the source address is known to differ from each one tested).
const (
	maxFacts         = 128
	maxFactsPerValue = 16
)

func (s *state) clone() *state {
	// Room for the outcome of the test that usually follows.
	facts := append(make([]fact, 0, len(s.facts)+1), s.facts...)
	return &state{r: s.r, facts: facts, avail: slices.Clone(s.avail)}
}

func (s *state) isAvail(v int32) bool { return slices.Contains(s.avail, v) }

func (s *state) setAvail(v int32) {
	if !s.isAvail(v) {
		s.avail = append(s.avail, v)
	}
}

// known gives the outcome of test t if the state decides it: both sides
// are constants (or known equal to one), the test was made before, or
// it is "v == k" where v is known to differ from k.
func (s *state) known(vs *values, t testKey) (outcome, ok bool) {
	if t.b != 0 {
		if k, ok := vs.constOf(t.b); ok {
			t = testKey{op: t.op, a: t.a, k: k}
		}
	}
	a, aok := vs.constOf(t.a)
	k, kok := t.k, t.b == 0
	if t.b != 0 {
		k, kok = vs.constOf(t.b)
	}
	for _, f := range s.facts {
		switch {
		case f.t == t:
			return f.out, true
		case f.t.op != tEq || f.t.b != 0 || !f.out:
		case !aok && f.t.a == t.a:
			a, aok = f.t.k, true
		case !kok && f.t.a == t.b:
			k, kok = f.t.k, true
		}
	}
	if aok && kok {
		return t.op.eval(a, k), true
	}
	if t.op == tEq && kok {
		// v != k is recorded as the test v == k having failed.
		for _, f := range s.facts {
			if f.t.op == tEq && f.t.b == 0 && f.t.a == t.a && f.t.k == k && !f.out {
				return false, true
			}
		}
	}
	return false, false
}

// learn records the outcome of test t.
func (s *state) learn(vs *values, t testKey, outcome bool) {
	if t.b != 0 {
		if k, ok := vs.constOf(t.b); ok {
			t = testKey{op: t.op, a: t.a, k: k}
		}
	}
	if len(s.facts) >= maxFacts {
		return
	}
	n := 0
	for _, f := range s.facts {
		if f.t.a == t.a {
			n++
		}
	}
	if n < maxFactsPerValue {
		s.facts = append(s.facts, fact{t, outcome})
	}
}

// meet is what holds on entry to block b whatever edge it is reached
// by: registers that differ hold a value named for b (a phi); a fact
// holds if every edge's state implies it, and a value is loaded if it
// is on every edge.
func meet(vs *values, b int, in []*state) *state {
	if len(in) == 1 {
		return in[0]
	}
	s := in[0].clone()
	for _, o := range in[1:] {
		for i := range s.r {
			if s.r[i] != o.r[i] {
				s.r[i] = vs.id(valKey{op: vPhi, n: uint32(i), k: uint32(b)})
			}
		}
		var facts []fact
		for _, f := range s.facts {
			if out, ok := o.known(vs, f.t); ok && out == f.out {
				facts = append(facts, f)
			}
		}
		for _, f := range o.facts {
			if out, ok := s.known(vs, f.t); ok && out == f.out && !slices.Contains(facts, f) {
				facts = append(facts, f)
			}
		}
		s.facts = facts[:min(len(facts), maxFacts)]
		s.avail = slices.DeleteFunc(s.avail, func(v int32) bool { return !o.isAvail(v) })
	}
	return s
}
