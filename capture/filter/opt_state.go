package filter

import (
	"maps"

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
	return map[testOp]bpf.JumpTest{tEq: bpf.JumpEqual, tGt: bpf.JumpGreaterThan, tGe: bpf.JumpGreaterOrEqual, tSet: bpf.JumpBitsSet}[op]
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

// state is what the optimiser knows at a point of the program: the
// value in each register, facts about values learnt from the tests on
// every path to the point, and the values loaded on every path (a load
// of those cannot fall outside the packet).
type state struct {
	r     [numRegs]int32
	eq    map[int32]uint32          // value == constant
	ne    map[int32]map[uint32]bool // value != each constant
	tests map[testKey]bool          // outcome of a test
	avail map[int32]bool            // loaded without fault
}

func newState() *state {
	return &state{eq: map[int32]uint32{}, ne: map[int32]map[uint32]bool{}, tests: map[testKey]bool{}, avail: map[int32]bool{}}
}

func (s *state) clone() *state {
	c := &state{r: s.r, eq: maps.Clone(s.eq), tests: maps.Clone(s.tests), avail: maps.Clone(s.avail)}
	c.ne = make(map[int32]map[uint32]bool, len(s.ne))
	for v, set := range s.ne {
		c.ne[v] = maps.Clone(set)
	}
	return c
}

// known gives the outcome of test t if the state decides it.
func (s *state) known(vs *values, t testKey) (outcome, ok bool) {
	a, aok := vs.constOf(t.a)
	if !aok {
		a, aok = s.eq[t.a]
	}
	k := t.k
	if t.b != 0 {
		var bok bool
		if k, bok = vs.constOf(t.b); !bok {
			k, bok = s.eq[t.b]
		}
		if !bok {
			o, ok := s.tests[t]
			return o, ok
		}
		t = testKey{op: t.op, a: t.a, k: k}
	}
	if aok {
		return t.op.eval(a, k), true
	}
	if t.op == tEq && s.ne[t.a][k] {
		return false, true
	}
	o, ok := s.tests[t]
	return o, ok
}

// Facts are dropped (which only loses precision) beyond these bounds,
// so that copying a state stays cheap on long chains of tests, such as a
// list of 200 hosts.
const (
	maxNe    = 16 // constants a value is known to differ from
	maxTests = 64 // other test outcomes
)

// learn records the outcome of test t.
func (s *state) learn(vs *values, t testKey, outcome bool) {
	if t.b != 0 {
		if k, ok := vs.constOf(t.b); ok {
			t = testKey{op: t.op, a: t.a, k: k}
		}
	}
	if t.op != tEq || t.b != 0 {
		if len(s.tests) < maxTests {
			s.tests[t] = outcome
		}
		return
	}
	if outcome {
		s.eq[t.a] = t.k
		return
	}
	set := s.ne[t.a]
	if set == nil {
		set = map[uint32]bool{}
		s.ne[t.a] = set
	}
	if len(set) < maxNe {
		set[t.k] = true
	}
}

// meet is what holds on entry to block b whatever edge it is reached
// by: registers that differ hold a value named for b (a phi), facts are
// those of every edge.
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
		for t, out := range s.tests {
			if oo, ok := o.tests[t]; !ok || oo != out {
				delete(s.tests, t)
			}
		}
		for v := range s.avail {
			if !o.avail[v] {
				delete(s.avail, v)
			}
		}
		meetNe(s, o)
		for v, k := range s.eq {
			if ok, has := o.eq[v]; !has || ok != k {
				delete(s.eq, v)
			}
		}
	}
	return s
}

// meetNe keeps the constants a value differs from on both sides, either
// as known differences or as another known value.
func meetNe(s, o *state) {
	differs := func(st *state, v int32, k uint32) bool {
		if e, ok := st.eq[v]; ok {
			return e != k
		}
		return st.ne[v][k]
	}
	ne := map[int32]map[uint32]bool{}
	add := func(v int32, k uint32) {
		if differs(s, v, k) && differs(o, v, k) {
			if ne[v] == nil {
				ne[v] = map[uint32]bool{}
			}
			ne[v][k] = true
		}
	}
	for _, st := range []*state{s, o} {
		for v, set := range st.ne {
			for k := range set {
				add(v, k)
			}
		}
		for v, k := range st.eq {
			add(v, k)
		}
	}
	s.ne = ne
}
