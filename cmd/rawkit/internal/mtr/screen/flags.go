package screen

import (
	"fmt"
	"strings"

	"github.com/rawkit/rawkit/icmp/trace"
)

// flagWidth is the flag column's width: one slot per flag and a space.
const flagWidth = 6

// A flag is a hop marker: its letter in the flag column and its legend.
type flag struct {
	letter byte
	legend string
	set    func(*trace.HopStats) bool
}

var hopFlags = []flag{
	{'R', "R rate limited: loss here does not continue downstream", func(h *trace.HopStats) bool { return h.RateLimited }},
	{'N', "N NAT: quoted addresses or ports rewritten", func(h *trace.HopStats) bool { return h.NAT }},
	{'T', "T TOS rewritten in the quote", func(h *trace.HopStats) bool { return h.TOSChanged }},
	{'P', "P path changed: new responder", func(h *trace.HopStats) bool { return h.PathChanged }},
	{'U', "U unreachable: a router here says the destination is", func(h *trace.HopStats) bool { return h.Unreachable }},
}

// flags is a hop's flag column: each set flag's letter in its slot.
func flags(h *trace.HopStats) string {
	b := []byte(strings.Repeat(" ", flagWidth))
	for i, f := range hopFlags {
		if f.set(h) {
			b[i] = f.letter
		}
	}
	return string(b)
}

// legend explains the flags that some hop of some target shows; it is
// empty when none does.
func legend(snaps []trace.MonitorSnapshot) []line {
	var present []string
	for _, f := range hopFlags {
	search:
		for i := range snaps {
			for j := range snaps[i].Hops {
				if h := &snaps[i].Hops[j]; f.set(h) {
					text := f.legend
					if f.letter == 'T' && h.QuotedTOS >= 0 {
						text += fmt.Sprintf(" (0x%02x quoted at hop %d)", h.QuotedTOS, h.TTL)
					}
					present = append(present, text)
					break search
				}
			}
		}
	}
	if len(present) == 0 {
		return nil
	}
	lines := []line{nil}
	for i, p := range present {
		head := "       "
		if i == 0 {
			head = "Flags: "
		}
		lines = append(lines, line{{0, head + p, plain}})
	}
	return lines
}
