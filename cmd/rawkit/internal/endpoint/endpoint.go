// Package endpoint holds the commands `rawkit serve` and `rawkit connect`:
// a TCP, UDP or unix test server (echo, discard, chargen, daytime, fixed
// reply) and a netcat-like client that also measures an echo server. The
// servers, clients and echo test are the library package endpoint's;
// these commands parse, check addresses and print.
package endpoint

import (
	"context"
	"os"
	"os/signal"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// Env holds what the commands depend on that a test replaces; a nil Env
// or a zero field means the real one.
type Env struct {
	// Notify relays signals to c, as signal.Notify does: serve watches
	// for a second SIGINT or SIGTERM during its drain. A test sends on c
	// itself instead of signalling its own process.
	Notify func(c chan<- os.Signal, sig ...os.Signal)
}

func (e *Env) notify() func(c chan<- os.Signal, sig ...os.Signal) {
	if e != nil && e.Notify != nil {
		return e.Notify
	}
	return signal.Notify
}

// NewServe returns the serve command.
func NewServe(env *Env) *cli.Command {
	c := &cli.Command{
		Name:    "serve",
		Summary: "run a TCP/UDP/unix test server: echo, discard, chargen, daytime, fixed reply",
		Usage:   serveUsage,
	}
	notify := env.notify()
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return runServe(ctx, sio, c, notify, args)
	}
	return c
}

// NewConnect returns the connect command.
func NewConnect(*Env) *cli.Command {
	c := &cli.Command{
		Name:    "connect",
		Summary: "netcat-like TCP/UDP/unix client, and an echo-server measurement",
		Usage:   connectUsage,
	}
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return runConnect(ctx, sio, c, args)
	}
	return c
}
