// Package exporter is the program rawkit-exporter, which `rawkit
// exporter` executes: a Prometheus exporter that probes every configured
// target with ICMP echo continuously, over one socket per family shared
// by all targets (the echo engine's Monitor), and serves the counts and
// round trips as metrics, blackbox-style /probe answers, reloads and a
// landing page. Its option table is package exporterdoc's, which the
// rawkit binary prints without linking this package.
package exporter

import (
	"net"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter/exporterdoc"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/trace"
	"github.com/rawkit/rawkit/raw"
)

// defaultListen is where the exporter serves without
// --web.listen-address.
const defaultListen = exporterdoc.DefaultListen

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// Listen opens a socket of one family (echo.Listen).
	Listen func(*echo.ListenConfig) (*echo.Socket, error)
	// NewMonitor makes the engine over the opened sockets.
	NewMonitor func(socks []echo.Socket) (Monitor, error)
	// NewPathMonitor opens a path target's monitor (trace.NewMonitor);
	// NewPingPathMonitor opens one without privileges
	// (trace.NewPingMonitor), tried when NewPathMonitor lacks them.
	NewPathMonitor     func(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error)
	NewPingPathMonitor func(dst netip.Addr, cfg *trace.MonitorConfig) (PathMonitor, error)
	// DropPrivileges is called once the sockets and the listener are
	// open (raw.DropPrivileges).
	DropPrivileges func() error
	// Resolver looks target names up (nil: net.DefaultResolver).
	Resolver Resolver
	// NotifyReload delivers the signals that ask for a reload (SIGHUP)
	// until the returned func stops it.
	NotifyReload func() (<-chan os.Signal, func())
	// InterfaceAddrs lists an interface's addresses, for source: IFACE.
	InterfaceAddrs func(name string) ([]netip.Addr, error)
	// Ready, if set, gets the listener's address once the exporter
	// serves (tests listen on port 0).
	Ready func(addr net.Addr)
	// SetProcs sizes the Go scheduler (GOMAXPROCS) to the probes a
	// second of the configuration in force (nil: procSetter's).
	SetProcs func(rate float64)
	// Version labels rawkit_exporter_build_info ("": the module's);
	// rawkit-exporter gives it buildinfo.Version's.
	Version string
}

func (env *Env) withDefaults() *Env {
	e := Env{}
	if env != nil {
		e = *env
	}
	if e.Listen == nil {
		e.Listen = echo.Listen
	}
	if e.NewMonitor == nil {
		e.NewMonitor = newEchoMonitor
	}
	if e.NewPathMonitor == nil {
		e.NewPathMonitor = newTracePathMonitor
	}
	if e.NewPingPathMonitor == nil {
		e.NewPingPathMonitor = newTracePingMonitor
	}
	if e.DropPrivileges == nil {
		e.DropPrivileges = raw.DropPrivileges
	}
	if e.Resolver == nil {
		e.Resolver = net.DefaultResolver
	}
	if e.NotifyReload == nil {
		e.NotifyReload = func() (<-chan os.Signal, func()) {
			c := make(chan os.Signal, 1)
			signal.Notify(c, syscall.SIGHUP)
			return c, func() { signal.Stop(c) }
		}
	}
	if e.InterfaceAddrs == nil {
		e.InterfaceAddrs = interfaceAddrs
	}
	if e.SetProcs == nil {
		e.SetProcs = procSetter()
	}
	return &e
}

// New returns `rawkit exporter`, running with env's dependencies (nil:
// the real ones).
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	return &cli.Command{
		Name:    "exporter",
		Summary: exporterdoc.Summary,
		Doc:     &exporterdoc.Doc,
		Run:     env.run,
	}
}

// interfaceAddrs lists the addresses of interface name.
func interfaceAddrs(name string) ([]netip.Addr, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, errNoSuchInterface
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil {
			out = append(out, p.Addr())
		}
	}
	return out, nil
}
