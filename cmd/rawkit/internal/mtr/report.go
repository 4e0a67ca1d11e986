package mtr

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
)

// field is one of mtr 0.95's columns (ui/mtr.c data_fields): its key,
// title, printf format and width, and its value for a hop: a float in
// milliseconds (loss: percent), or an int.
type field struct {
	key    byte
	title  string
	printf string
	width  int
	float  bool
	value  func(h *trace.HopStats) float64
}

func msOf(d time.Duration) float64 { return float64(d/time.Microsecond) / 1000 }

// xmit is mtr's per-TTL probes sent, in flight included.
func xmit(h *trace.HopStats) int { return h.Sent + h.InFlight }

// netLoss is mtr's net_loss: an int in thousandths of a percent,
// truncated, over the probes not in flight.
func netLoss(h *trace.HopStats) int {
	if h.Sent == 0 {
		return 0
	}
	return int(1000 * (100 - 100.0*float64(h.All.Received)/float64(h.Sent)))
}

var fields = []field{
	{' ', " ", " ", 1, false, func(h *trace.HopStats) float64 { return float64(h.Lost) }},
	{'L', "Loss%", " %4.1f%%", 6, true, func(h *trace.HopStats) float64 { return float64(netLoss(h)) / 1000 }},
	{'D', "Drop", " %4d", 5, false, func(h *trace.HopStats) float64 { return float64(h.Lost) }},
	{'R', "Rcv", " %5d", 6, false, func(h *trace.HopStats) float64 { return float64(h.All.Received) }},
	{'S', "Snt", " %5d", 6, false, func(h *trace.HopStats) float64 { return float64(xmit(h)) }},
	{'N', "Last", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.Last) }},
	{'B', "Best", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.Best) }},
	{'A', "Avg", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.Avg) }},
	{'W', "Wrst", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.Worst) }},
	{'V', "StDev", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.StDev) }},
	{'G', "Gmean", " %5.1f", 6, true, func(h *trace.HopStats) float64 { return msOf(h.All.Gmean) }},
	{'J', "Jttr", " %4.1f", 5, true, func(h *trace.HopStats) float64 { return msOf(h.All.Jitter) }},
	{'M', "Javg", " %4.1f", 5, true, func(h *trace.HopStats) float64 { return msOf(h.All.JitterAvg) }},
	{'X', "Jmax", " %4.1f", 5, true, func(h *trace.HopStats) float64 { return msOf(h.All.JitterMax) }},
	{'I', "Jint", " %4.1f", 5, true, func(h *trace.HopStats) float64 { return msOf(h.All.JitterInt) }},
}

// activeFields returns the fields of an -o string, in its order.
func activeFields(s string) []field {
	var out []field
	for i := range len(s) {
		for _, f := range fields {
			if f.key == s[i] {
				out = append(out, f)
			}
		}
	}
	return out
}

// format prints f's value for h as mtr's printf does.
func (f *field) format(h *trace.HopStats) string {
	v := f.value(h)
	if f.float {
		return fmt.Sprintf(f.printf, v)
	}
	return fmt.Sprintf(f.printf, int(v))
}

// report is one target's finished run, what every report format prints.
type report struct {
	o         *opts
	target    string // as typed
	snap      trace.MonitorSnapshot
	names     map[netip.Addr]string // reverse DNS; missing: none
	localHost string
	psize     int
}

// hostName is mtr's snprint_addr: ??? for no responder, the name, the
// address with -n or without a name, "name (address)" with -b.
func (r *report) hostName(a netip.Addr) string {
	if !a.IsValid() {
		return "???"
	}
	name := ""
	if !r.o.numeric {
		name = r.names[a]
	}
	switch {
	case name == "":
		return a.String()
	case r.o.showIPs:
		return name + " (" + a.String() + ")"
	}
	return name
}

// put writes s at column at of line, as mtr's snprintf(buf+len, ...):
// what was after at is cut.
func put(line []byte, at int, s string) []byte {
	for len(line) < at {
		line = append(line, ' ')
	}
	return append(line[:at], s...)
}

// writeText prints mtr 0.95's -r (or -w) report (ui/report.c
// report_open and report_close), the numbers of each hop's main line
// being the TTL's aggregate as mtr keeps it.
func (r *report) writeText(w io.Writer, wide bool) {
	fmt.Fprintf(w, "Start: %s\n", r.snap.Started.Format("2006-01-02T15:04:05-0700"))
	hostLen := 33
	if wide {
		hostLen = len(r.localHost)
		for i := range r.snap.Hops {
			hostLen = max(hostLen, len(r.hostName(r.snap.Hops[i].Latest)))
		}
	}
	fs := activeFields(r.o.fields)
	line := []byte(fmt.Sprintf("HOST: %-*s", hostLen, r.localHost))
	at := hostLen
	if wide {
		at = len(line)
	}
	for _, f := range fs {
		line = put(line, at, fmt.Sprintf("%*s", f.width, f.title))
		at += f.width
	}
	fmt.Fprintf(w, "%s\n", line)
	for i := range r.snap.Hops {
		h := &r.snap.Hops[i]
		line = []byte(fmt.Sprintf(" %2d.|-- %-*s", h.TTL, hostLen, r.hostName(h.Latest)))
		at = hostLen
		if wide {
			at = len(line)
		}
		for _, f := range fs {
			line = put(line, at, f.format(h))
			at += f.width
		}
		fmt.Fprintf(w, "%s\n", line)
		r.writeExtra(w, h, hostLen)
	}
}

// writeExtra prints the hop's other responders as mtr 0.95 does
// (HAVE_IPINFO build, as Debian's): one line each, in the order they
// first answered, the latest one (the main line) skipped, at most 8
// (MAX_PATH); with -e each one's MPLS labels.
func (r *report) writeExtra(w io.Writer, h *trace.HopStats, hostLen int) {
	for z, a := range h.FirstSeen {
		if z >= 8 {
			break
		}
		if a == h.Latest {
			continue
		}
		fmt.Fprintf(w, "        %-*s\n", hostLen, r.hostName(a))
		if !r.o.mpls {
			continue
		}
		if z == 1 && len(h.All.MPLS) > 0 {
			writeMPLS(w, h.All.MPLS[0])
		}
		for _, rs := range h.Responders {
			if rs.Addr == a && len(rs.MPLS) > 0 {
				writeMPLS(w, rs.MPLS[len(rs.MPLS)-1])
			}
		}
	}
}

func writeMPLS(w io.Writer, st []trace.MPLSLabel) {
	for _, l := range st {
		s := 0
		if l.S {
			s = 1
		}
		// mtr 0.95 prints S with "%cu": the bit as a character, then a
		// literal u; the character is a control character, shown here
		// as mtr's terminal shows it: nothing.
		fmt.Fprintf(w, "       [MPLS: Lbl %d TC %d S %cu TTL %d]\n", l.Label, l.TC, rune(s), l.TTL)
	}
}
