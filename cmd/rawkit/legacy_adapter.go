package main

// TEMPORARY: the commands already converted to *cli.Command values
// register here into the old registry (cli.go) until main.go lists every
// command explicitly; that list replaces this file and the conversion.

import (
	"context"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/endpoint"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/lab"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/send"
)

func init() {
	for _, c := range []*cli.Command{
		send.New(nil),
		capture.New(),
		lab.New(nil),
		endpoint.NewServe(nil),
		endpoint.NewConnect(nil),
	} {
		register(legacyCommand(c))
	}
}

// legacyCommand wraps c in the old command type.
func legacyCommand(c *cli.Command) *command {
	return &command{
		name:      c.Name,
		summary:   c.Summary,
		usage:     c.Usage,
		usageMore: c.UsageMore,
		run: func(ctx context.Context, io *stdio, args []string) int {
			return c.Run(ctx, &cli.Stdio{In: io.in, Out: io.out, Err: io.err}, args)
		},
	}
}
