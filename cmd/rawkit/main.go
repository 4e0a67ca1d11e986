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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
