package main

import (
	"context"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// run is the dispatcher as the tests of the legacy commands (cli.go)
// call it. TEMPORARY: it goes with them when they move to their packages.
func run(ctx context.Context, argv []string, io *stdio) int {
	return dispatch(ctx, allCommands(), argv, &cli.Stdio{In: io.in, Out: io.out, Err: io.err})
}
