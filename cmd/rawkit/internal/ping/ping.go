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
		Doc:     &pingDoc,
		Run:     env.run,
	}
}
