package screen

import (
	"context"
	"fmt"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/icmp/trace"
)

// Monitor is the path monitor as the screen drives it: the command
// implements it over the monitors of its targets.
type Monitor interface {
	// Snapshots returns the latest state of every target, in the order
	// the user gave them. The screen keeps and reads them from its own
	// goroutine, so nothing in them may be shared with the monitor.
	Snapshots() []trace.MonitorSnapshot
	// Updated delivers a value after the snapshots changed. The monitor
	// must never block on it (a channel with a buffer of one, sent to
	// with select and default); the screen draws at most ten times a
	// second however often it fires.
	Updated() <-chan struct{}
	// Pause stops starting new rounds when paused is true (probes in
	// flight still settle), and starts them again when false: mtr's p
	// and space.
	Pause(paused bool)
	// Reset clears every statistic of every target: mtr's r.
	Reset()
	// SetDNS turns the reverse lookups of responders on or off: mtr's
	// n. A monitor started without a resolver may ignore it; the screen
	// shows addresses whenever it is off or a name is missing.
	SetDNS(on bool)
}

// Config is what the command sets up the screen with; nil means mtr's
// defaults.
type Config struct {
	Hostname string // the local host, for the header line
	Version  string // rawkit's version, for the title
	// Mode is how the probes are sent ("raw", "unprivileged"), for the
	// title: the tool says which mode it runs in.
	Mode string
	// Fields is the column order (mtr's -o; DefaultFields when empty).
	// The command checks it with CheckFields.
	Fields string
	// DisplayMode is the first display mode (mtr's --displaymode): 0
	// statistics, 1 block map, 2 strip chart, 3 sparkline.
	DisplayMode int
	NoDNS       bool // show addresses, not names (mtr's -n)
	ShowIPs     bool // show "name (address)" (mtr's -b)
	MPLS        bool // show MPLS label stacks (mtr's -e)
	// Now is the clock of the header line (time.Now when nil).
	Now func() time.Time
}

// The bounds of drawing: frames at most every minFrame (ten a second),
// and a frame at least every second, for the clock.
const (
	minFrame = 100 * time.Millisecond
	maxFrame = time.Second
)

// Run shows the screen on scr until the user quits (q, Ctrl-C) or ctx
// ends, and returns nil then; it returns an error only when the screen
// cannot be set up. It initialises scr (tcell.NewScreen for the terminal,
// a tcell.SimulationScreen in tests) and always finalises it, which puts
// the terminal back as it was, before it returns.
func Run(ctx context.Context, scr tcell.Screen, mon Monitor, cfg *Config) error {
	if cfg == nil {
		cfg = &Config{}
	}
	if err := scr.Init(); err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	// Fini restores the terminal on every way out, a panic included (the
	// panic's message then lands on a usable terminal).
	defer scr.Fini()
	scr.HideCursor()
	scr.Clear()

	events := make(chan tcell.Event, 16)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		scr.ChannelEvents(events, quit)
	}()
	defer func() {
		close(quit)
		<-done
	}()

	return newState(cfg).loop(ctx, scr, mon, events, cfg.now)
}

// loop draws and handles events until the screen ends. It takes a
// snapshot only for a frame, and batches: a change of the snapshots is
// drawn minFrame later, so that the probes of a round (which settle
// within a round trip of each other) make one frame, not one each; a
// key is drawn at once unless a frame was drawn less than minFrame ago;
// the clock's tick draws only when no frame came for a second.
func (s *state) loop(ctx context.Context, scr tcell.Screen, mon Monitor, events <-chan tcell.Event, now func() time.Time) error {
	clock := time.NewTicker(maxFrame)
	defer clock.Stop()
	frame := time.NewTimer(0) // the first frame at once
	defer frame.Stop()
	var last, due time.Time
	stale := true
	// schedule makes the next frame come at most after wait (and never
	// sooner than minFrame after the last one).
	schedule := func(wait time.Duration) {
		at := time.Now().Add(wait)
		if early := last.Add(minFrame); at.Before(early) {
			at = early
		}
		if due.IsZero() || at.Before(due) {
			due = at
			frame.Reset(time.Until(at))
		}
	}
	due = time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok || s.handle(ev, mon, scr) {
				return nil
			}
			schedule(0)
		case <-mon.Updated():
			stale = true
			schedule(minFrame)
		case <-clock.C:
			if time.Since(last) >= maxFrame {
				schedule(0)
			}
		case <-frame.C:
			if stale {
				s.snaps, stale = mon.Snapshots(), false
			}
			s.draw(scr, now())
			last, due = time.Now(), time.Time{}
		}
	}
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
