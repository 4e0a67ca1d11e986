// Package ping is `rawkit ping`: ICMP echo requests to one host, printed
// as iputils ping prints them, or to many (names, addresses, CIDR ranges)
// as fping sweeps them, in text or --json records, over the echo engine
// of package icmp.
package ping

import (
	"net"
	"net/netip"
	"os"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/raw"
)

const pingUsage = `usage: rawkit ping [options] HOST...

Send ICMP echo requests, as iputils ping does, to one host or, fping-style,
to many: HOST is a name, an IPv4 or IPv6 address (fe80::1%eth0 for a
link-local one) or a CIDR range (127.0.0.0/20, fd00::/120; IPv6 prefixes
/112 and longer). The targets of each family share one socket: raw with
CAP_NET_RAW, otherwise a ping socket where net.ipv4.ping_group_range
allows it. A flood (-f, -i 0) takes targets of one family.

  -c COUNT     stop after COUNT probes per target (with -w: COUNT answers)
  -i SECONDS   interval between probes to a target (default 1; below
               0.002 only for root)
  -W SECONDS   time to wait for a reply (default 10)
  -w SECONDS   stop after SECONDS whatever was sent or received
  -s SIZE      payload bytes (default 56, at most 65507, 65527 for IPv6)
  -t TTL       IP time to live, IPv6 hop limit (1-255)
  -Q TOS       IP type of service byte, IPv6 traffic class (0-255)
  -M MODE      path MTU discovery: do, dont or want
  -I IF|ADDR   send from this interface or source address
  -l PRELOAD   send PRELOAD probes at once at the start
  -p PATTERN   fill the payload with up to 16 bytes given in hex
               (-p ff00), repeated; replies are checked against it
  -f           flood: next probe as soon as a reply comes (root only)
  -q           quiet: only the summary
  -n           print addresses, not names
  -D           print a timestamp before each line
  -O           report probes with no answer yet
  -a           audible: ring the bell on each reply
  -4, -6       IPv4 or IPv6 only (default: the family of the addresses;
               names resolve to IPv4 first)
  --rate PPS   cap the whole run at PPS probes per second
  --json       one JSON object per event and a summary, on stdout
  --mode MODE  socket: auto (default), raw or ping

Exit status: 0 when replies came (every target answered, with several),
1 when none came (or, with -w, fewer than COUNT), 2 on errors.
`

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// Listen opens a socket of the run (echo.Listen).
	Listen func(*echo.ListenConfig) (*echo.Socket, error)
	// NotifyQuit delivers SIGQUIT, on which ping prints interim
	// statistics, until the returned func stops it. A test whose fake
	// clock cannot share channels with the signal handler replaces it.
	NotifyQuit func() (<-chan os.Signal, func())
	// DropPrivileges is called once the sockets are open
	// (raw.DropPrivileges).
	DropPrivileges func() error
	// Route asks the kernel for a route to dst from src (invalid: any
	// source) before anything is sent, as iputils' connect probe does
	// (checkRoute).
	Route func(dst, src netip.Addr) error
	// Resolver looks up HOST names (nil: net.DefaultResolver).
	Resolver *net.Resolver
}

// withDefaults returns a copy of env with the real function in each
// empty field.
func (env *Env) withDefaults() *Env {
	e := Env{}
	if env != nil {
		e = *env
	}
	if e.Listen == nil {
		e.Listen = echo.Listen
	}
	if e.NotifyQuit == nil {
		e.NotifyQuit = notifyQuitOS
	}
	if e.DropPrivileges == nil {
		e.DropPrivileges = raw.DropPrivileges
	}
	if e.Route == nil {
		e.Route = checkRoute
	}
	return &e
}

// New returns `rawkit ping`, running with env's dependencies (nil: the
// real ones).
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	return &cli.Command{
		Name:    "ping",
		Summary: "send ICMP echo requests, as iputils ping, or sweep many targets",
		Usage:   pingUsage,
		Run:     env.run,
	}
}
