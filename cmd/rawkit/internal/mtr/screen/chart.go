package screen

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// chartPadding is the columns the strip chart leaves left of the
// probes, which start at chartPadding-1 (ui/curses.c): mtr's 30, and two
// more for the flag column mtr does not have, so that a host column
// still holds "(waiting for reply)".
const chartPadding = 32

// levels is mtr 0.95's NUM_FACTORS: the strip chart's scale steps.
const levels = 8

var (
	// blockMap is mtr 0.95's block_map: '.', 1..3, a..c, '>'.
	blockMap = [levels]rune{'.', '1', '2', '3', 'a', 'b', 'c', '>'}
	// sparks are the sparkline's steps, lowest to highest.
	sparks = [levels]rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}
	// blockStyle is mtr's block_col: [0] for a lost probe, [i+1] for level i.
	blockStyle = [levels + 1]tcell.Style{
		bold.Foreground(tcell.ColorRed),
		bold.Foreground(tcell.ColorGreen), bold.Foreground(tcell.ColorGreen), bold.Foreground(tcell.ColorGreen),
		bold.Foreground(tcell.ColorYellow), bold.Foreground(tcell.ColorYellow),
		bold.Foreground(tcell.ColorFuchsia),
		bold.Foreground(tcell.ColorRed), bold.Foreground(tcell.ColorRed),
	}
)

// scale is the upper bound of each level: mtr_gen_scale's low + range ×
// ((i+1)/8)², over every round trip kept of every hop shown, so that
// the levels spread where the round trips are.
type scale [levels]time.Duration

func newScale(snaps []trace.MonitorSnapshot) scale {
	low, high := time.Duration(-1), time.Duration(-1)
	for i := range snaps {
		for j := range snaps[i].Hops {
			for _, d := range snaps[i].Hops[j].History {
				if d < 0 {
					continue
				}
				if low < 0 || d < low {
					low = d
				}
				high = max(high, d)
			}
		}
	}
	var sc scale
	low = max(low, 0)
	for i := range sc {
		f := float64(i+1) / levels
		sc[i] = low + time.Duration(float64(high-low)*f*f)
	}
	return sc
}

// level is the first level whose bound d does not pass (levels-1 for
// anything above the top one).
func (sc *scale) level(d time.Duration) int {
	for i, b := range sc {
		if d <= b {
			return i
		}
	}
	return levels - 1
}

// cell is one probe in the chart of mode.
func (sc *scale) cell(d time.Duration, mode int) (rune, tcell.Style) {
	if d < 0 {
		return '?', blockStyle[0]
	}
	l := sc.level(d)
	switch mode {
	case modeBlockmap:
		// mtr: '>' above the second-highest bound, '.' below it.
		if d > sc[levels-2] {
			return blockMap[levels-1], plain
		}
		return '.', plain
	case modeSparkline:
		return sparks[l], blockStyle[l+1]
	}
	return blockMap[l], blockStyle[l+1]
}

// chartBody is mtr's graph display: per TTL its first responder and the
// last probes, newest on the right, then the scale.
func (s *state) chartBody(scr tcell.Screen, w int) []line {
	start := chartPadding - 2
	n := min(w-chartPadding, 200)
	put(scr, start, 4, fmt.Sprintf(" Last %3d pings", n), plain, w)
	sc := newScale(s.snaps)
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
			h := &snap.Hops[j]
			host, st := "(waiting for reply)", bold
			if len(h.Responders) > 0 {
				main := mainLine(h)
				host, st = s.hostText(&main, 1), plain
			}
			l := line{{0, fmt.Sprintf("%2d. ", h.TTL), plain}, {4, clip(host, start-flagWidth-4), st},
				{start - flagWidth, flags(h), plain}}
			body = append(body, append(l, sc.probes(h.History, start+1, n, s.mode)...))
		}
	}
	return append(body, nil, sc.legend(s.mode))
}

// probes are the last n entries of hist from column x, right-aligned:
// columns with no probe yet stay blank, as mtr's unsent ones. Runs of
// one style make one span.
func (sc *scale) probes(hist []time.Duration, x, n, mode int) line {
	if len(hist) > n {
		hist = hist[len(hist)-n:]
	}
	x += n - len(hist)
	var l line
	var run strings.Builder
	var runSt tcell.Style
	for i, d := range hist {
		r, st := sc.cell(d, mode)
		if i > 0 && st != runSt {
			l = append(l, span{x, run.String(), runSt})
			x += utf8.RuneCountInString(run.String())
			run.Reset()
		}
		run.WriteRune(r)
		runSt = st
	}
	if run.Len() > 0 {
		l = append(l, span{x, run.String(), runSt})
	}
	return l
}

// legend is mtr's "Scale:" line: each level's mark and upper bound.
func (sc *scale) legend(mode int) line {
	l := line{{0, "Scale:", bold}}
	x := len("Scale:")
	marks := blockMap
	if mode == modeSparkline {
		marks = sparks
	}
	for i := range levels {
		l = append(l, span{x + 2, string(marks[i]), blockStyle[i+1]})
		x += 3
		if i < levels-1 {
			t := ":" + msText(sc[i])
			l = append(l, span{x, t, plain})
			x += len(t)
		}
	}
	return l
}

// msText prints a bound in milliseconds as mtr does (":12 ms"), with
// decimals below 10 ms (two below 1 ms) where mtr's integers would all
// read 0, as they do on a LAN.
func msText(d time.Duration) string {
	m := float64(d) / float64(time.Millisecond)
	switch {
	case m < 1:
		return fmt.Sprintf("%.2f ms", m)
	case m < 10:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", m), ".0") + " ms"
	}
	return fmt.Sprintf("%.0f ms", m)
}
