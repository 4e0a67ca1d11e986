// Command rawkit is one binary for raw-socket work: one subcommand per tool.
//
// It dispatches on its first argument (rawkit ping ...) or, when installed
// under another name, on argv[0]: a link named ping runs rawkit ping.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop, _ := interruptContext()
	code := run(ctx, os.Args, &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

// interruptContext returns a context that SIGINT or SIGTERM cancels, the
// function that releases it, and a channel closed once the signals are
// caught.
//
// They are caught from another goroutine: the first signal.Notify starts
// a thread for the runtime's signal-mask changes and waits until it runs
// (0.2-0.4 ms on a small VM), which ping and traceroute would otherwise
// spend before their first packet, while opening sockets can go on
// meanwhile. Until then a ^C ends the process the default way, as it
// does during the milliseconds before main runs.
func interruptContext() (context.Context, func(), <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan struct{})
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(c)
		close(ready)
		select {
		case <-c:
			cancel()
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }, ready
}
