package screen

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/rawkit/rawkit/icmp/trace"
)

// statsBody is one line per responder (and per MPLS label when shown)
// of every target, sections headed when there are several.
func (s *state) statsBody(cols []*field, startstat int) []line {
	var body []line
	for i := range s.snaps {
		snap := &s.snaps[i]
		if len(s.snaps) > 1 {
			if i > 0 {
				body = append(body, nil)
			}
			body = append(body, sectionTitle(snap))
		}
		for j := range snap.Hops {
			body = s.hopLines(body, snap, &snap.Hops[j], cols, startstat)
		}
	}
	return body
}

// hopLines appends a TTL's lines. Its own line is mtr's: the latest
// responder's name and the TTL's statistics over all responders. When
// several answer, each then has a line of its own, indented as mtr
// indents extra responders, in the order they first answered (so lines
// do not swap places as counts change), with its own statistics.
func (s *state) hopLines(body []line, snap *trace.MonitorSnapshot, h *trace.HopStats, cols []*field, startstat int) []line {
	hostW := startstat - flagWidth - 5
	st := plain
	if n := len(h.History); n > 0 && h.History[n-1] < 0 {
		st = bold // mtr bolds a host that is not answering now
	}
	prefix, fl := fmt.Sprintf("%2d. ", h.TTL), span{startstat - flagWidth, flags(h), plain}
	if len(h.Responders) == 0 {
		return append(body, line{{0, prefix, plain}, {4, "(waiting for reply)", bold}, fl,
			{startstat, values(cols, h, nil, true), plain}})
	}
	main := mainLine(h)
	body = append(body, line{{0, prefix, plain}, {4, clip(s.hostText(&main, 1), hostW), st}, fl,
		{startstat, values(cols, h, &main, true), plain}})
	if len(h.Responders) == 1 {
		return s.mplsLines(body, &h.Responders[0])
	}
	for _, r := range byFirstAnswer(h) {
		body = append(body, line{{4, clip(s.hostText(r, snap.Flows), hostW), plain},
			{startstat, values(cols, h, r, false), plain}})
		body = s.mplsLines(body, r)
	}
	return body
}

// mainLine is the TTL's line: its aggregate statistics under the name
// of its latest responder.
func mainLine(h *trace.HopStats) trace.ResponderStats {
	main := h.All
	main.Addr = h.Latest
	if !main.Addr.IsValid() {
		main.Addr = h.Responders[0].Addr
	}
	main.Name = ""
	for i := range h.Responders {
		if h.Responders[i].Addr == main.Addr {
			main.Name = h.Responders[i].Name
		}
	}
	return main
}

// byFirstAnswer orders a TTL's responders as FirstSeen lists them; any
// it does not list follow in their own order.
func byFirstAnswer(h *trace.HopStats) []*trace.ResponderStats {
	out := make([]*trace.ResponderStats, 0, len(h.Responders))
	seen := func(a netip.Addr) bool {
		return slices.ContainsFunc(out, func(r *trace.ResponderStats) bool { return r.Addr == a })
	}
	for _, a := range h.FirstSeen {
		for i := range h.Responders {
			if r := &h.Responders[i]; r.Addr == a && !seen(a) {
				out = append(out, r)
			}
		}
	}
	for i := range h.Responders {
		if r := &h.Responders[i]; !seen(r.Addr) {
			out = append(out, r)
		}
	}
	return out
}

// mplsLines appends mtr's -e lines of a responder's label stacks.
func (s *state) mplsLines(body []line, r *trace.ResponderStats) []line {
	if !s.mpls {
		return body
	}
	for _, stack := range r.MPLS {
		for _, m := range stack {
			body = append(body, line{{4, fmt.Sprintf("[MPLS: Lbl %d TC %d S %d TTL %d]", m.Label, m.TC, b2i(m.S), m.TTL), plain}})
		}
	}
	return body
}

// hostText is a responder as mtr names it (name, "name (address)" with
// -b, or the address), with the flows through it when several are probed.
func (s *state) hostText(r *trace.ResponderStats, flows int) string {
	t := r.Addr.String()
	if s.dns && r.Name != "" {
		if s.showIPs {
			t = fmt.Sprintf("%s (%s)", clean(r.Name), r.Addr)
		} else {
			t = clean(r.Name)
		}
	}
	if flows > 1 && len(r.Flows) > 0 {
		t += " {" + ranges(r.Flows) + "}"
	}
	return t
}

// ranges prints ascending numbers as "0-3,5".
func ranges(ns []int) string {
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", ns[i], ns[j])
		} else {
			fmt.Fprintf(&b, "%d", ns[i])
		}
		i = j + 1
	}
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
