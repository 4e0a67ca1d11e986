package main

import (
	"context"
	"fmt"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// helpCommand returns `rawkit help`, which describes the commands list
// returns (itself among them).
func helpCommand(list func() []*cli.Command) *cli.Command {
	return &cli.Command{
		Name:    "help",
		Summary: "show the commands, or one command's options",
		Usage:   "usage: rawkit help [COMMAND]\n",
		Run: func(_ context.Context, sio *cli.Stdio, args []string) int {
			return runHelp(list(), sio, args)
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:    "version",
		Summary: "print the version and exit",
		Usage:   "usage: rawkit version\n",
		Run:     runVersion,
	}
}

func runHelp(cmds []*cli.Command, sio *cli.Stdio, args []string) int {
	switch len(args) {
	case 0:
		usageTop(cmds, sio.Out)
		return cli.ExitOK
	case 1:
		c := find(cmds, args[0])
		if c == nil {
			return cli.Failf(sio, "help", "unknown command %q", args[0])
		}
		c.PrintUsage(sio.Out)
		return cli.ExitOK
	default:
		return cli.Failf(sio, "help", "takes at most one command name, got %d arguments", len(args))
	}
}

func runVersion(_ context.Context, sio *cli.Stdio, args []string) int {
	if len(args) > 0 {
		return cli.Failf(sio, "version", "takes no arguments, got %q", args[0])
	}
	fmt.Fprintln(sio.Out, buildinfo.Line("rawkit"))
	return cli.ExitOK
}
