// Package exporter is `rawkit exporter`: a Prometheus exporter that
// probes every configured target with ICMP echo continuously, over one
// socket per family shared by all targets (the echo engine's Monitor),
// and serves the counts and round trips as metrics, blackbox-style
// /probe answers, reloads and a landing page.
package exporter

import (
	"net"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/raw"
)

// defaultListen is outside 9100-9999, the range of Prometheus' exporter
// port allocations, which is full: no exporter's default collides.
const defaultListen = ":10042"

const usage = `usage: rawkit exporter --config.file FILE [--web.listen-address HOST:PORT]
                       [--web.config.file FILE]

Probe every target of FILE with ICMP echo, continuously, and serve the
results to Prometheus. All targets of a family share one socket: raw with
CAP_NET_RAW, otherwise a ping socket where net.ipv4.ping_group_range
allows it (the first line on stderr says which). Privileges are dropped
once the sockets and the listener are open. Runs until SIGINT or SIGTERM;
SIGHUP or POST /-/reload re-reads FILE and its file_sd files.

  --config.file FILE           the targets (YAML, below)
  --web.listen-address ADDR    where to serve HTTP (default :10042: the
                               exporters' range 9100-9999 is all allocated,
                               so this collides with no exporter's default)
  --web.config.file FILE       TLS, client certificates and basic auth, in
                               Prometheus' web configuration format

FILE:
  targets:
    - hosts: [10.0.0.2, db1.example.net, 192.0.2.0/28, fd00::2]
      interval: 1s        # between probes to each target (10ms to 1h)
      timeout: 2s         # unanswered by then: lost (at most 30s)
      size: 56            # payload bytes (16 to 65507)
      tos: 0              # IP TOS, IPv6 traffic class (0-255)
      source: 10.0.0.1    # source address or interface (optional)
      labels: {site: fra1}
  file_sd_configs:        # Prometheus file_sd files (YAML or JSON),
    - files: [targets/*.yml]  # checked for changes every refresh_interval
      refresh_interval: 5s    # (default 5s); the settings above apply too
  rtt_buckets: [0.001, 0.01, 0.1, 1]  # classic buckets (default 100us..26s)
  native_histogram_bucket_factor: 1.1 # native buckets; 0: none
  resolve_interval: 1m    # names are looked up again this often

A CIDR range holds at most 4096 addresses (IPv4 ranges lose their network
and broadcast addresses); a configuration at most 100000 targets and
100000 probes per second. Label names target, ip and le are the
exporter's. Quote IPv6 addresses that start with a colon ("::1").

HTTP: /metrics, /probe?target=HOST[&count=N] (blackbox_exporter's ICMP
answer, N echoes, 1-20, default 3), /-/healthy, /-/ready, POST /-/reload,
and / (the targets with their loss and RTT over the last 64 probes).

Exit status: 0 after SIGINT or SIGTERM, 2 on errors (a bad configuration,
web configuration or listen address: one line, nothing started).
`

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// Listen opens a socket of one family (echo.Listen).
	Listen func(*echo.ListenConfig) (*echo.Socket, error)
	// NewMonitor makes the engine over the opened sockets.
	NewMonitor func(socks []echo.Socket) (Monitor, error)
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
	// Version labels rawkit_exporter_build_info ("" : the module's).
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
	return &e
}

// New returns `rawkit exporter`, running with env's dependencies (nil:
// the real ones).
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	return &cli.Command{
		Name:    "exporter",
		Summary: "probe targets continuously with ICMP echo, for Prometheus",
		Usage:   usage,
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
