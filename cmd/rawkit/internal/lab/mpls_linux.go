package lab

import (
	"context"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/internal/netlab"
)

// labSetMPLS records on each router at an --mpls hop the label stack its
// time exceeded messages are to carry. A chain's node i is its router
// at hop i; a diamond has its entry at hop 1, both branches at hop 2 and
// its exit at hop 3.
func labSetMPLS(st *labState, o labOpts) {
	depth := map[string]int{"entry": 1, "up": 2, "down": 2, "exit": 3}
	for i := range st.Nodes {
		n := &st.Nodes[i]
		hop := i
		if o.ecmp {
			hop = depth[n.Role]
		}
		if n.Ifaces != nil {
			n.MPLS = o.mpls[hop]
		}
	}
}

// needsHolder reports whether the lab needs a background process: its
// delays and MPLS answers are NFQUEUE programs.
func (s *labState) needsHolder() bool {
	if s.Delay > 0 {
		return true
	}
	for _, n := range s.Nodes {
		if len(n.MPLS) > 0 {
			return true
		}
	}
	return false
}

// labStartMPLS makes n answer as an MPLS router: each time exceeded
// message it sends carries n's label stack, every entry with TTL 1 (the
// label's TTL ran out there, as with the IP TTL) and S set on the last.
func labStartMPLS(ctx context.Context, n labNode) (*netlab.MPLSExtender, error) {
	stack := make([]xicmp.MPLSLabel, len(n.MPLS))
	for i, l := range n.MPLS {
		stack[i] = xicmp.MPLSLabel{Label: int(l), TTL: 1, S: i == len(n.MPLS)-1}
	}
	return (&netlab.Host{Name: n.NS}).StartMPLSExtensions(ctx, stack)
}
