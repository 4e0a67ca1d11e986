// Package mtr is `rawkit mtr`: mtr's continuous per-hop monitoring over
// the path monitor of package icmp/trace, with mtr 0.95's options and
// report formats (-r, -w, -j, -C, -x, -l), per-responder and per-flow
// statistics beyond them (--json, --jsonl), recordings that replay to
// the same report (--record, --replay), and several targets probed at
// once in one process.
package mtr

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/trace"
	"github.com/rawkit/rawkit/raw"
)

// Monitor is what the command needs of a path monitor (trace.Monitor).
type Monitor interface {
	Run(ctx context.Context) (trace.MonitorSnapshot, error)
	Snapshot() trace.MonitorSnapshot
	SetPaused(bool)
	Reset()
	Close() error
}

// Session is what a screen drives: the monitors of one run, one per
// HOST in order. Every method is safe from any goroutine and never
// blocks for long.
type Session interface {
	// Snapshots returns each target's statistics now.
	Snapshots() []trace.MonitorSnapshot
	// SetPaused stops or resumes new rounds (mtr's p and space keys).
	SetPaused(bool)
	// Reset forgets the statistics so far (mtr's r key).
	Reset()
	// Name is a's reverse DNS name, "" while unknown or with -n; the
	// first call starts the lookup.
	Name(a netip.Addr) string
	// Options are the display options the user gave.
	Options() ScreenOptions
	// Updated delivers a value after the snapshots changed (a probe
	// settled, a round ended); the run never blocks on it.
	Updated() <-chan struct{}
}

// ScreenOptions are the options that change what the screen shows.
type ScreenOptions struct {
	Numeric, ShowIPs, MPLS bool
	Fields                 string // mtr's -o letters
	Mode                   string // how probes are sent: "raw" or "unprivileged"
	// LocalHost names the host the probes left from, when it is not
	// this one (a replay's recorded host); "" for this host.
	LocalHost string
}

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// NewMonitor opens a monitor's sockets (trace.NewMonitor).
	NewMonitor func(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error)
	// NewPingMonitor opens an unprivileged monitor (trace.NewPingMonitor),
	// tried when NewMonitor lacks the privilege.
	NewPingMonitor func(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error)
	// DropPrivileges is called once every socket is open.
	DropPrivileges func() error
	// Resolver looks up HOST names and responders' names (nil:
	// net.DefaultResolver).
	Resolver *net.Resolver
	// Hostname is the local host's name (os.Hostname).
	Hostname func() (string, error)
	// Getenv reads MTR_OPTIONS (os.Getenv).
	Getenv func(string) string
	// IsTerminal reports whether standard output is a terminal.
	IsTerminal func(sio *cli.Stdio) bool
	// Create opens the --record file (os.Create); Open the --replay
	// file (os.Open).
	Create func(name string) (io.WriteCloser, error)
	Open   func(name string) (io.ReadSeekCloser, error)
	// Screen runs the interactive display until the user quits or ctx
	// ends (nil: package screen's, on Terminal). Without a terminal on
	// standard output the -r report is printed instead.
	Screen func(ctx context.Context, sio *cli.Stdio, s Session) error
	// Terminal opens the terminal the screen draws on (tcell.NewScreen;
	// tests pass a tcell.SimulationScreen).
	Terminal func() (tcell.Screen, error)
}

func (env *Env) withDefaults() *Env {
	e := Env{}
	if env != nil {
		e = *env
	}
	if e.NewMonitor == nil {
		e.NewMonitor = func(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error) {
			return trace.NewMonitor(dst, cfg)
		}
	}
	if e.NewPingMonitor == nil {
		e.NewPingMonitor = func(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error) {
			return trace.NewPingMonitor(dst, cfg)
		}
	}
	if e.DropPrivileges == nil {
		e.DropPrivileges = raw.DropPrivileges
	}
	if e.Hostname == nil {
		e.Hostname = os.Hostname
	}
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Create == nil {
		e.Create = func(name string) (io.WriteCloser, error) { return os.Create(name) }
	}
	if e.Open == nil {
		e.Open = func(name string) (io.ReadSeekCloser, error) { return os.Open(name) }
	}
	if e.IsTerminal == nil {
		e.IsTerminal = isTerminal
	}
	if e.Screen == nil {
		e.Screen = e.interactive
	}
	return &e
}

// isTerminal reports whether sio.Out is a terminal (a character device).
func isTerminal(sio *cli.Stdio) bool {
	f, ok := sio.Out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// New returns `rawkit mtr`, running with env's dependencies (nil: the
// real ones).
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	return &cli.Command{
		Name:    "mtr",
		Summary: "monitor the path to hosts round after round, as mtr does, with mtr's reports",
		Doc:     &commandDoc,
		Run:     env.run,
	}
}

func (env *Env) run(ctx context.Context, sio *cli.Stdio, args []string) int {
	o, err := parseArgs(strings.Fields(env.Getenv("MTR_OPTIONS")), args)
	if err != nil {
		return cli.Failf(sio, "mtr", "%v", err)
	}
	if o.help {
		commandDoc.WriteHelp(sio.Out)
		return cli.ExitOK
	}
	if o.replay != "" {
		return env.replay(ctx, sio, o)
	}
	return env.live(ctx, sio, o)
}

// failMonitor turns an error opening a monitor into the exit status.
func failMonitor(sio *cli.Stdio, err error) int {
	if errors.Is(err, trace.ErrBadConfig) {
		// The engine names the value: strip its package prefix.
		msg := strings.TrimPrefix(err.Error(), trace.ErrBadConfig.Error()+": ")
		return cli.Failf(sio, "mtr", "%s", msg)
	}
	return cli.Failf(sio, "mtr", "%v", err)
}
