package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// InterruptContext returns a context that SIGINT or SIGTERM cancels, the
// function that releases it, and a channel closed once the signals are
// caught. With dropQuit it also catches SIGQUIT and drops it.
//
// It is what the main functions of rawkit and rawkit-exporter share
// about signals.
//
// Dropping is catching, not SIG_IGN: an ignored signal stays ignored
// across execve(2) (signal(7)), and the programs `rawkit lab exec` and
// the lab's hold process start, and rawkit-exporter, which `rawkit
// exporter` executes in its place, must get the default disposition.
//
// They are caught from another goroutine: the first signal.Notify starts
// a thread for the runtime's signal-mask changes and waits until it runs
// (0.2-0.4 ms on a small VM), which ping and traceroute would otherwise
// spend before their first packet, while opening sockets can go on
// meanwhile. Until then a ^C ends the process the default way, as it
// does during the milliseconds before main runs.
func InterruptContext(dropQuit bool) (context.Context, func(), <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan struct{})
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(c)
		quit := make(chan os.Signal, 1)
		if dropQuit {
			signal.Notify(quit, syscall.SIGQUIT)
			defer signal.Stop(quit)
		}
		close(ready)
		for {
			select {
			case <-c:
				cancel()
				return
			case <-quit:
			case <-done:
				return
			}
		}
	}()
	return ctx, func() { close(done); cancel() }, ready
}
