package screen

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

var (
	plain = tcell.StyleDefault
	bold  = plain.Bold(true)
)

// span is text at a column; a line of the body is a list of them, so
// that the body can be built whole and then scrolled.
type span struct {
	x    int
	text string
	st   tcell.Style
}

type line []span

// bodyTop is the first row under mtr's five header rows.
const bodyTop = 5

// draw paints one frame.
func (s *state) draw(scr tcell.Screen, now time.Time) {
	scr.Clear()
	defer scr.Show()
	w, h := scr.Size()
	cols := columns(s.fields)
	if needW, needH := s.minSize(cols); w < needW || h < needH {
		drawTooSmall(scr, w, h, needW, needH)
		return
	}
	s.drawHeader(scr, w, now)
	switch {
	case s.help:
		drawLines(scr, 2, w, h, helpLines(), 0)
		return
	case s.prompt != nil:
		drawLines(scr, 2, w, h, promptLines(*s.prompt), 0)
		return
	}
	var body []line
	if s.mode == modeStats {
		startstat := w - columnsWidth(cols) - 1
		put(scr, startstat, 3, "   Packets               Pings", bold, w)
		put(scr, 0, 4, " Host", bold, w)
		put(scr, startstat, 4, titles(cols), bold, w)
		body = s.statsBody(cols, startstat)
	} else {
		body = s.chartBody(scr, w)
	}
	body = append(body, legend(s.snaps)...)
	rows := h - bodyTop
	s.offset = min(s.offset, max(0, len(body)-rows))
	drawLines(scr, bodyTop, w, h, body, s.offset)
}

// minSize is the smallest terminal the current mode can be drawn in:
// the header and two body rows, and in width the columns with a host
// column of 20 (statistics) or the chart's 30 and 15 probes (its title,
// " Last  15 pings", then fits).
func (s *state) minSize(cols []*field) (w, h int) {
	if s.mode == modeStats {
		return columnsWidth(cols) + 1 + 24, bodyTop + 2
	}
	return chartPadding + 15, bodyTop + 2
}

// drawTooSmall says what size is needed; the screen keeps running and
// draws again when the terminal is resized.
func drawTooSmall(scr tcell.Screen, w, h, needW, needH int) {
	msg := []string{
		fmt.Sprintf("terminal %dx%d is too small", w, h),
		fmt.Sprintf("rawkit mtr needs %dx%d", needW, needH),
		"resize it, or q to quit",
	}
	y := max(0, (h-len(msg))/2)
	for i, m := range msg {
		put(scr, max(0, (w-len(m))/2), y+i, m, bold, w)
	}
}

// drawHeader is mtr's first three rows: title, hosts and time, keys.
func (s *state) drawHeader(scr tcell.Screen, w int, now time.Time) {
	title := "rawkit mtr"
	if s.version != "" {
		title += "  [" + s.version + "]"
	}
	if len(s.snaps) == 1 {
		title += " " + strings.ToUpper(s.snaps[0].Method.String())
	}
	if s.how != "" {
		title += " (" + clean(s.how) + ")"
	}
	put(scr, max(0, (w-len(title))/2), 0, title, bold, w)
	if s.paused || (len(s.snaps) == 1 && s.snaps[0].Paused) {
		put(scr, 0, 0, "[paused]", bold.Reverse(true), w)
	}
	hosts := clean(s.hostname) + " -> "
	if len(s.snaps) == 1 {
		hosts += target(&s.snaps[0])
		if n := s.snaps[0].Flows; n > 1 {
			hosts += fmt.Sprintf("  %d flows", n)
		}
	} else {
		hosts += fmt.Sprintf("%d targets", len(s.snaps))
	}
	stamp := now.Format("2006-01-02T15:04:05-0700")
	put(scr, 0, 1, hosts, plain, w-len(stamp)-1)
	put(scr, max(0, w-25), 1, stamp, plain, w)
	x := put(scr, 0, 2, "Keys:  ", plain, w)
	for _, k := range []string{"Help   ", "Display mode   ", "Restart statistics   ", "Order of fields   ", "quit"} {
		x = put(scr, x, 2, k[:1], bold, w)
		x = put(scr, x, 2, k[1:], plain, w)
	}
}

// target is "name (address)", or the address alone when it is the name.
func target(snap *trace.MonitorSnapshot) string {
	t := clean(snap.Target)
	if !snap.Dst.IsValid() || t == snap.Dst.String() {
		return t
	}
	return fmt.Sprintf("%s (%s)", t, snap.Dst)
}

// sectionTitle heads a target's lines when there are several.
func sectionTitle(snap *trace.MonitorSnapshot) line {
	t := fmt.Sprintf("%s  %s  %d rounds", target(snap), strings.ToUpper(snap.Method.String()), snap.Rounds)
	if snap.Flows > 1 {
		t += fmt.Sprintf("  %d flows", snap.Flows)
	}
	if snap.Paused {
		t += "  paused"
	}
	return line{{0, t, bold.Underline(true)}}
}

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

// clean replaces with '?' what is not printable ASCII: names come from
// reverse DNS, which whoever runs the responder's zone writes, and an
// escape sequence in one must not reach the terminal, nor a wide or
// combining rune shift the columns (host names are ASCII; IDNs travel
// as punycode).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, s)
}

// clip cuts s to n runes.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// put writes str from column x of row y, one cell a rune (everything
// drawn is ASCII after clean, or the chart's one-cell blocks), stopping
// before column end, and returns the column after it.
func put(scr tcell.Screen, x, y int, str string, st tcell.Style, end int) int {
	for _, r := range str {
		if x >= end {
			break
		}
		scr.SetContent(x, y, r, nil, st)
		x++
	}
	return x
}

// drawLines draws lines[from:] from row top down to the last row.
func drawLines(scr tcell.Screen, top, w, h int, lines []line, from int) {
	for y := top; y < h && from < len(lines); y, from = y+1, from+1 {
		for _, sp := range lines[from] {
			put(scr, sp.x, y, sp.text, sp.st, w)
		}
	}
}
