package trace

import (
	"net/netip"
	"time"
)

// MonitorSnapshot is a consistent copy of a path monitor's state, safe
// to keep and to read from another goroutine: the screen draws from it
// and the reports print it. Nothing in it is shared with the monitor.
type MonitorSnapshot struct {
	Target string // as the user gave it
	Dst    netip.Addr
	Method Method
	Flows  int // flows probed (1 unless Config.Flows says more)
	Rounds int // rounds completed: every probe of them answered or given up
	// Started is when the first round was sent; Ended when the last
	// probe of the last round settled (zero while running).
	Started, Ended time.Time
	// Hops has one entry per TTL from the first TTL up to the
	// destination's (the farthest TTL seen answering from the
	// destination, or the highest TTL any answer came from); index i is
	// TTL FirstTTL+i.
	Hops   []HopStats
	Paused bool
	// Reached reports that the destination answered at least once.
	Reached bool
	// FlowPaths gives, per flow (index = flow number), the responder
	// most recently seen at each TTL of Hops; a zero Addr where the
	// flow's probe at that TTL has not been answered yet.
	FlowPaths [][]netip.Addr
}

// HopStats is one TTL: its own no-answer rate (Sent, Lost) apart from
// each responder's share.
type HopStats struct {
	TTL int
	// Sent counts probes at this TTL whose fate is known: answered, or
	// unanswered within the wait. Probes in flight are excluded, as mtr
	// excludes them from Loss%.
	Sent int
	// Lost is, of Sent, the probes nobody answered.
	Lost int
	// InFlight counts probes sent at this TTL and not yet settled (mtr
	// counts them in Snt).
	InFlight int
	// Responders lists who answered, most answers first; [0] is the
	// hop's main line. Empty when nobody answered.
	Responders []ResponderStats
	// RateLimited flags loss here that does not continue downstream:
	// later hops answer more often than this one, so the loss is most
	// likely ICMP rate limiting at this router, not loss on the path.
	RateLimited bool
	// NAT flags the first hop whose quoted datagram shows a rewritten
	// source or destination address, or rewritten ports.
	NAT bool
	// TOSChanged flags the first hop whose quoted datagram carries a TOS
	// (IPv6: traffic class) other than the one sent; QuotedTOS is the
	// value quoted there (-1 when no quote was seen).
	TOSChanged bool
	QuotedTOS  int
	// PathChanged flags a path change at this TTL within the last 10
	// rounds: a flow answered from another responder than before, or a
	// new responder appeared after the first 3 rounds.
	PathChanged bool
	// History is the TTL's last settled probes, oldest first: the round
	// trip of whoever answered, -1 for a probe nobody answered. Bounded
	// by MonitorConfig.History.
	History []time.Duration
	// All is the TTL's statistics over every responder together, as
	// mtr keeps them (its report's numbers); All.Addr is Latest and
	// All.Loss the TTL's Loss().
	All ResponderStats
	// Latest is the responder of the TTL's last answer (mtr's host
	// column); FirstSeen lists the responders in the order they first
	// answered (mtr's extra report lines).
	Latest    netip.Addr
	FirstSeen []netip.Addr
	// Unreachable reports a destination unreachable from a router at
	// this TTL: the path ends here.
	Unreachable bool
}

// Loss is the TTL's own no-answer rate in percent (0 when nothing is
// settled yet).
func (h *HopStats) Loss() float64 {
	if h.Sent == 0 {
		return 0
	}
	return 100 * float64(h.Lost) / float64(h.Sent)
}

// MPLSLabel is one RFC 4950 label stack entry a responder quoted.
type MPLSLabel struct {
	Label uint32 `json:"label"` // 20 bits
	TC    int    `json:"tc"`    // traffic class (ex EXP), 3 bits
	S     bool   `json:"s"`     // bottom of stack
	TTL   int    `json:"ttl"`
}

// ResponderStats is one address answering at a TTL, with mtr's columns.
type ResponderStats struct {
	Addr netip.Addr
	Name string // reverse DNS when the caller resolved it, else ""
	// MPLS are the distinct label stacks seen from this responder (at
	// most a few, the latest kept).
	MPLS [][]MPLSLabel
	// Flows are the flow numbers (from 0) whose probes this responder
	// answered, ascending.
	Flows []int
	// Received counts answers from this responder.
	Received int
	// Loss is in percent of the TTL's settled probes those not answered
	// by this responder: with one responder, mtr's Loss%.
	Loss float64
	// mtr's N, B, W, A and V columns: last, best, worst, mean and sample
	// standard deviation (n−1) of the round trips.
	Last, Best, Worst, Avg, StDev time.Duration
	// mtr's J, M, X and I columns: the difference between the last two
	// round trips, its mean, its maximum, and RFC 1889's interarrival
	// jitter estimate (jinta += |j| − (jinta+8)/16, in µs as mtr).
	Jitter, JitterAvg, JitterMax, JitterInt time.Duration
	// Gmean is mtr's G column, the geometric mean of the round trips.
	Gmean time.Duration
	// History is the TTL's last settled probes as this responder saw
	// them, oldest first: its round trip when it answered, -1 when
	// nobody answered; probes other responders answered are left out.
	// Bounded by MonitorConfig.History.
	History []time.Duration
}
