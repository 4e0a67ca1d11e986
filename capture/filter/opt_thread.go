package filter

// Jump threading: an edge into a block whose test the edge's state
// decides, whose loads cannot fault and whose other effects nothing
// reads, goes past it to the decided successor.

// send follows b's edge idx past every block whose test s decides and
// whose other effects are not needed, and hands s to the block reached.
func (o *optimizer) send(b *block, idx int, s *state) {
	to := o.follow(b.succ[idx], s, len(o.blocks))
	b.succ[idx] = to
	o.blocks[to].in = append(o.blocks[to].in, s)
}

// follow is where a path in state s entering block to goes once past
// the blocks it can skip, at most steps of them.
func (o *optimizer) follow(to int, s *state, steps int) int {
	for ; steps > 0; steps-- {
		next, ok := o.skip(o.blocks[to], s)
		if !ok {
			break
		}
		to = next
	}
	return to
}

// skip says where a path in state s entering t would leave it, if t can
// be skipped: its test is decided, its loads cannot fault, and the
// registers it changes are not read after it.
func (o *optimizer) skip(t *block, s *state) (int, bool) {
	if t.kind == kRet {
		return 0, false
	}
	r := s.r
	for _, in := range t.body {
		e := o.vs.effectOf(in, &r)
		if e.fault && !s.isAvail(e.val) {
			return 0, false
		}
		r[e.dst] = e.val
	}
	next := t.succ[0]
	if t.kind == kCond {
		out, ok := s.known(o.vs, t.testIn(&r))
		if !ok {
			return 0, false
		}
		if !out {
			next = t.succ[1]
		}
	}
	live := o.blocks[next].live
	for reg := range r {
		if r[reg] != s.r[reg] && live&(1<<reg) != 0 {
			return 0, false
		}
	}
	return next, true
}
