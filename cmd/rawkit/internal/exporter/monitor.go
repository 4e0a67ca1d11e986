package exporter

import (
	"context"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
)

// Monitor is what the exporter needs of the echo engine's Monitor: one
// long-running prober for every target, over one socket per family.
// Tests pass a fake through Env.NewMonitor.
type Monitor interface {
	// Run probes until ctx ends.
	Run(ctx context.Context) error
	// Add starts probing t; safe before and during Run.
	Add(t MonitorTarget) (Probe, error)
	// Stats are the engine's totals, read at each scrape.
	Stats() MonitorStats
}

// Probe is one added target; after Remove returns its handler is not
// called again, and its probes in flight end without an event.
type Probe interface {
	Remove()
}

// MonitorTarget is one address to probe, as echo.MonitorTarget.
type MonitorTarget struct {
	Addr     netip.Addr
	Interval time.Duration
	Timeout  time.Duration
	Size     int
	TOS      int
	Source   netip.Addr
	// Handler gets the target's events one at a time; it must not block.
	Handler func(*echo.Event)
}

// MonitorStats are the engine's totals, as echo.MonitorStats.
type MonitorStats struct {
	Targets         int
	SocketDrops     uint64        // SO_RXQ_OVFL, socket(7), over the sockets
	SchedulerLag    time.Duration // sum over sends of (send time - scheduled time)
	SchedulerLagMax time.Duration
	Skipped         uint64 // sends dropped after the process stalled for a whole interval
	StampMisses     uint64 // replies timed without the kernel's send stamp
}

// readWait is echo.MonitorConfig.ReadWait of the exporter's engine: at
// 10,000 targets, one wake-up per reply cost 0.02-0.03 of a core more
// (alternating runs, docs/performance.md).
const readWait = time.Millisecond

// echoMonitor is the real Monitor: the echo engine's.
type echoMonitor struct{ m *echo.Monitor }

func newEchoMonitor(socks []echo.Socket) (Monitor, error) {
	// Replies are read in batches (a wait of readWait once a socket is
	// drained) rather than with a wake-up each; round trips come from
	// the kernel's receive stamps, so the wait delays none.
	m, err := echo.NewMonitor(socks, &echo.MonitorConfig{ReadWait: readWait})
	if err != nil {
		return nil, err
	}
	return echoMonitor{m}, nil
}

func (e echoMonitor) Run(ctx context.Context) error { return e.m.Run(ctx) }

func (e echoMonitor) Add(t MonitorTarget) (Probe, error) {
	p, err := e.m.Add(echo.MonitorTarget{Addr: t.Addr, Interval: t.Interval, Timeout: t.Timeout,
		Size: t.Size, TOS: t.TOS, Source: t.Source, Handler: t.Handler})
	if err != nil {
		return nil, err // not a nil *echo.Probe in a non-nil Probe
	}
	return p, nil
}

func (e echoMonitor) Stats() MonitorStats {
	s := e.m.Stats()
	return MonitorStats{Targets: s.Targets, SocketDrops: s.SocketDrops,
		SchedulerLag: s.SchedulerLag, SchedulerLagMax: s.SchedulerLagMax, Skipped: s.Skipped, StampMisses: s.StampMisses}
}
