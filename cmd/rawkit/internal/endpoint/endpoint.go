// Package endpoint holds the commands `rawkit serve` and `rawkit connect`:
// a TCP, UDP or unix test server (echo, discard, chargen, daytime, fixed
// reply) and a netcat-like client that also measures an echo server. The
// servers, clients and echo test are the library package endpoint's;
// these commands parse, check addresses and print.
package endpoint

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	rendpoint "github.com/rawkit/rawkit/endpoint"
	"github.com/rawkit/rawkit/raw"
)

// Env holds what the commands depend on that a test replaces; a nil Env
// or a zero field means the real one.
type Env struct {
	// Notify relays signals to c, as signal.Notify does: serve watches
	// for a second SIGINT or SIGTERM during its drain. A test sends on c
	// itself instead of signalling its own process.
	Notify func(c chan<- os.Signal, sig ...os.Signal)
	// DropPrivileges is called once the sockets are open and before any
	// byte is read (raw.DropPrivileges). Tests that run the commands in
	// their own process keep their privileges with a no-op.
	DropPrivileges func() error
	// Resolver looks up the host of ADDRESS (nil: net.DefaultResolver).
	Resolver *net.Resolver
	// Listen opens serve's server (endpoint.Listen); Dial opens
	// connect's connection (endpoint.Dial); EchoTest runs connect
	// --echo-test (endpoint.EchoTest). The fuzz targets pass fakes that
	// open nothing.
	Listen   func(ctx context.Context, network, address string, cfg *rendpoint.Config) (*rendpoint.Server, error)
	Dial     func(ctx context.Context, network, address string, cfg *rendpoint.DialConfig) (*rendpoint.Conn, error)
	EchoTest func(ctx context.Context, network, address string, cfg *rendpoint.EchoConfig) (*rendpoint.EchoReport, error)
}

func (e *Env) listen() func(context.Context, string, string, *rendpoint.Config) (*rendpoint.Server, error) {
	if e != nil && e.Listen != nil {
		return e.Listen
	}
	return rendpoint.Listen
}

func (e *Env) dial() func(context.Context, string, string, *rendpoint.DialConfig) (*rendpoint.Conn, error) {
	if e != nil && e.Dial != nil {
		return e.Dial
	}
	return rendpoint.Dial
}

func (e *Env) echoTest() func(context.Context, string, string, *rendpoint.EchoConfig) (*rendpoint.EchoReport, error) {
	if e != nil && e.EchoTest != nil {
		return e.EchoTest
	}
	return rendpoint.EchoTest
}

func (e *Env) drop() func() error {
	if e != nil && e.DropPrivileges != nil {
		return e.DropPrivileges
	}
	return raw.DropPrivileges
}

// dropPrivileges gives up every capability, and under sudo becomes the
// invoking user: the servers and clients need privilege at most to bind
// a port below 1024 (capabilities(7): CAP_NET_BIND_SERVICE), which the
// open socket keeps, and must not hold it while they read what peers
// send. A drop that cannot be completed stops the command with status 2
// (fail closed); only a build that cannot drop at all (not Linux, or a
// cgo binary holding capabilities without sudo) runs on, and says so. ok
// is false when the command must stop with code.
func dropPrivileges(sio *cli.Stdio, name string, drop func() error) (code int, ok bool) {
	err := drop()
	switch {
	case err == nil || errors.Is(err, raw.ErrNotImplemented):
		return 0, true
	case errors.Is(err, errors.ErrUnsupported):
		fmt.Fprintf(sio.Err, "rawkit %s: warning: privileges kept: %v\n", name, err)
		return 0, true
	}
	return cli.Failf(sio, name, "%v", err), false
}

func (e *Env) resolver() *net.Resolver {
	if e != nil && e.Resolver != nil {
		return e.Resolver
	}
	return net.DefaultResolver
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
		Doc:     &serveDoc,
	}
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return runServe(ctx, sio, c, env, args)
	}
	return c
}

// NewConnect returns the connect command.
func NewConnect(env *Env) *cli.Command {
	c := &cli.Command{
		Name:    "connect",
		Summary: "netcat-like TCP/UDP/unix client, and an echo-server measurement",
		Doc:     &connectDoc,
	}
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return runConnect(ctx, sio, c, env, args)
	}
	return c
}
