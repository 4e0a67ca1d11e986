package screen

import (
	"fmt"
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
