package screen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/icmp/trace"
)

// Field orders of mtr's -o and of its j key.
const (
	DefaultFields = "LS NABWV"  // latency statistics
	JitterFields  = "DR AGJMXI" // drops, geometric mean and jitter
)

// field is one column of mtr's data_fields table (ui/mtr.c): its key
// letter for -o, its description in the o prompt, its title, its width
// (the value is right-aligned in it with a leading space), and how a
// line's value is found.
type field struct {
	key   byte
	descr string
	title string
	width int
	// ttlOnly marks the columns that only the TTL's line has (Drop,
	// Snt): a responder's line has no count of its own probes sent.
	ttlOnly bool
	// value formats the column for a TTL's line (r is then the TTL's
	// aggregate, HopStats.All) or for a responder's line.
	value func(h *trace.HopStats, r *trace.ResponderStats, ttlLine bool) string
}

var fields = []field{
	{' ', "<sp>: Space between fields", " ", 1, false, nil},
	{'L', "L: Loss Ratio", "Loss%", 6, false, loss},
	{'D', "D: Dropped Packets", "Drop", 5, true, func(h *trace.HopStats, _ *trace.ResponderStats, _ bool) string { return count(h.Lost, 4) }},
	{'R', "R: Received Packets", "Rcv", 6, false, func(_ *trace.HopStats, r *trace.ResponderStats, _ bool) string { return count(r.Received, 5) }},
	{'S', "S: Sent Packets", "Snt", 6, true, func(h *trace.HopStats, _ *trace.ResponderStats, _ bool) string { return count(h.Sent+h.InFlight, 5) }},
	{'N', "N: Newest RTT(ms)", "Last", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.Last })},
	{'B', "B: Min/Best RTT(ms)", "Best", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.Best })},
	{'A', "A: Average RTT(ms)", "Avg", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.Avg })},
	{'W', "W: Max/Worst RTT(ms)", "Wrst", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.Worst })},
	{'V', "V: Standard Deviation", "StDev", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.StDev })},
	{'G', "G: Geometric Mean", "Gmean", 6, false, rtt(func(r *trace.ResponderStats) time.Duration { return r.Gmean })},
	{'J', "J: Current Jitter", "Jttr", 5, false, jitter(func(r *trace.ResponderStats) time.Duration { return r.Jitter })},
	{'M', "M: Jitter Mean/Avg.", "Javg", 5, false, jitter(func(r *trace.ResponderStats) time.Duration { return r.JitterAvg })},
	{'X', "X: Worst Jitter", "Jmax", 5, false, jitter(func(r *trace.ResponderStats) time.Duration { return r.JitterMax })},
	{'I', "I: Interarrival Jitter", "Jint", 5, false, jitter(func(r *trace.ResponderStats) time.Duration { return r.JitterInt })},
}

// loss is mtr's " %4.1f%%": on a TTL's line the TTL's own no-answer
// rate, on a responder's line the loss of the probes charged to it.
func loss(h *trace.HopStats, r *trace.ResponderStats, ttlLine bool) string {
	l := h.Loss()
	if !ttlLine {
		l = r.Loss
	}
	return fmt.Sprintf("%4.1f%%", l)
}

// rtt formats a round-trip column as mtr's " %5.1f" in milliseconds.
func rtt(get func(*trace.ResponderStats) time.Duration) func(*trace.HopStats, *trace.ResponderStats, bool) string {
	return func(_ *trace.HopStats, r *trace.ResponderStats, _ bool) string { return ms(get(r), 5) }
}

// jitter formats a jitter column as mtr's " %4.1f".
func jitter(get func(*trace.ResponderStats) time.Duration) func(*trace.HopStats, *trace.ResponderStats, bool) string {
	return func(_ *trace.HopStats, r *trace.ResponderStats, _ bool) string { return ms(get(r), 4) }
}

func ms(d time.Duration, w int) string {
	return fmt.Sprintf("%*.1f", w, float64(d)/float64(time.Millisecond))
}

// count prints n right-aligned in w characters; past what fits it
// shortens as mtr's format_number does (123k4 for 123456), so columns
// stay aligned however long the run.
func count(n, w int) string {
	s := strconv.Itoa(n)
	for _, u := range []struct {
		div    int
		symbol string
	}{{1e3, "k"}, {1e6, "M"}, {1e9, "G"}} {
		if len(s) <= w {
			break
		}
		whole := strconv.Itoa(n / u.div)
		if len(whole)+1 > w {
			continue
		}
		frac := fmt.Sprintf("%0*d", len(strconv.Itoa(u.div))-1, n%u.div)
		s = whole + u.symbol + frac[:w-len(whole)-1]
	}
	if len(s) > w {
		s = strings.Repeat("#", w)
	}
	return fmt.Sprintf("%*s", w, s)
}

// fieldByKey returns the column of key, or nil.
func fieldByKey(key byte) *field {
	for i := range fields {
		if fields[i].key == key {
			return &fields[i]
		}
	}
	return nil
}

// CheckFields reports an error naming the first letter of order that is
// not one of mtr's field keys (mtr's -o), or an empty or over-long order.
func CheckFields(order string) error {
	if order == "" {
		return fmt.Errorf("field order is empty")
	}
	if len(order) > 2*len(fields) {
		return fmt.Errorf("field order %q is longer than %d letters", order, 2*len(fields))
	}
	for i := 0; i < len(order); i++ {
		if fieldByKey(order[i]) == nil {
			return fmt.Errorf("unknown field %q in field order %q (fields: %s)", order[i:i+1], order, fieldKeys())
		}
	}
	return nil
}

// fieldKeys lists the valid letters of -o.
func fieldKeys() string {
	var b strings.Builder
	for _, f := range fields {
		if f.key != ' ' {
			b.WriteByte(f.key)
		}
	}
	return b.String() + " and space"
}

// columns returns the fields of order, in order; letters that name no
// field are left out (CheckFields rejects them earlier).
func columns(order string) []*field {
	var cols []*field
	for i := 0; i < len(order); i++ {
		if f := fieldByKey(order[i]); f != nil {
			cols = append(cols, f)
		}
	}
	return cols
}

// columnsWidth is the width the columns of order take.
func columnsWidth(cols []*field) int {
	w := 0
	for _, f := range cols {
		w += f.width
	}
	return w
}

// titles is the column title line, each title right-aligned in its field.
func titles(cols []*field) string {
	var b strings.Builder
	for _, f := range cols {
		fmt.Fprintf(&b, "%*s", f.width, f.title)
	}
	return b.String()
}

// values is one line's columns. A TTL's line (ttlLine) has them all, r
// being the TTL's aggregate, or only the TTL's packet columns when r is
// nil (nobody answered); a responder's line has all but the TTL-only
// ones. A column with nothing to show is blank, so that the others keep
// their place.
func values(cols []*field, h *trace.HopStats, r *trace.ResponderStats, ttlLine bool) string {
	var b strings.Builder
	for _, f := range cols {
		v := ""
		switch {
		case f.value == nil:
		case r == nil && ttlLine && (f.ttlOnly || f.key == 'L'):
			v = f.value(h, r, ttlLine)
		case r != nil && (ttlLine || !f.ttlOnly):
			v = f.value(h, r, ttlLine)
		}
		fmt.Fprintf(&b, "%*s", f.width, v)
	}
	return b.String()
}
