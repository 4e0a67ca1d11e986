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
}
