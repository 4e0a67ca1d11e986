package ping

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
)

// lossPercent is iputils' figure: (sent - received) / sent as a float,
// printed with %g.
func lossPercent(s echo.Stats) string {
	if s.Transmitted == 0 {
		return "0"
	}
	v := float32(float64(s.Transmitted-s.Received) * 100.0 / float64(s.Transmitted))
	return strconv.FormatFloat(float64(v), 'g', 6, 32)
}

// summary prints the statistics block of a single-target run.
func (p *textOut) summary(s echo.Stats, elapsed time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeDot()
	w := p.w
	fmt.Fprintf(w, "\n--- %s ping statistics ---\n", p.targets[0].name)
	fmt.Fprintf(w, "%d packets transmitted, %d received", s.Transmitted, s.Received)
	if s.Duplicates > 0 {
		fmt.Fprintf(w, ", +%d duplicates", s.Duplicates)
	}
	if s.Errors > 0 {
		fmt.Fprintf(w, ", +%d errors", s.Errors)
	}
	if s.Transmitted > 0 {
		fmt.Fprintf(w, ", %s%% packet loss, time %dms", lossPercent(s), (elapsed+500*time.Microsecond)/time.Millisecond)
	}
	w.WriteByte('\n')
	comma := ""
	if s.Received > 0 && p.timing {
		fmt.Fprintf(w, "rtt min/avg/max/mdev = %s/%s/%s/%s ms", ms3(s.Min()), ms3(s.Avg()), ms3(s.Max()), ms3(s.MDev()))
		comma = ", "
	}
	if s.Pipe > 1 {
		fmt.Fprintf(w, "%spipe %d", comma, s.Pipe)
		comma = ", "
	}
	if s.Received > 0 && (p.o.flood || (p.o.intervalSet && p.o.interval == 0)) && s.Transmitted > 1 {
		ipg := elapsed.Microseconds() / int64(s.Transmitted-1)
		fmt.Fprintf(w, "%sipg/ewma %d.%03d/%s ms", comma, ipg/1000, ipg%1000, ms3(s.EWMA()))
	}
	w.WriteByte('\n')
	w.Flush()
}

// sweepSummary ends a run over several targets: a line per target (unless
// -q), then how many answered and the totals with the rate achieved.
func (p *textOut) sweepSummary(e *echo.Engine, elapsed time.Duration, rate float64) (alive int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeDot()
	w := p.w
	w.WriteByte('\n')
	for i, t := range p.targets {
		s := e.TargetStats(i)
		if s.Received > 0 {
			alive++
		}
		if p.o.quiet {
			continue
		}
		fmt.Fprintf(w, "%s : xmt/rcv/%%loss = %d/%d/%s%%", t.addr, s.Transmitted, s.Received, lossPercent(s))
		if s.Received > 0 && p.timing {
			fmt.Fprintf(w, ", min/avg/max = %s/%s/%s", ms3(s.Min()), ms3(s.Avg()), ms3(s.Max()))
		}
		w.WriteByte('\n')
	}
	s := e.Stats()
	fmt.Fprintf(w, "%d alive, %d unreachable\n", alive, len(p.targets)-alive)
	fmt.Fprintf(w, "%d packets transmitted, %d received", s.Transmitted, s.Received)
	if s.Duplicates > 0 {
		fmt.Fprintf(w, ", +%d duplicates", s.Duplicates)
	}
	if s.Errors > 0 {
		fmt.Fprintf(w, ", +%d errors", s.Errors)
	}
	fmt.Fprintf(w, ", %s%% packet loss, time %dms, rate %.0f/s\n", lossPercent(s),
		(elapsed+500*time.Microsecond)/time.Millisecond, rate)
	w.Flush()
	return alive
}
