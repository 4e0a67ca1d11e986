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
		Doc:     &helpDoc,
		Run: func(_ context.Context, sio *cli.Stdio, args []string) int {
			return runHelp(list(), sio, args)
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:    "version",
		Summary: "print the version and exit",
		Doc:     &versionDoc,
		Run:     runVersion,
	}
}

var helpDoc = cli.Doc{
	Synopsis:    []string{"rawkit help [COMMAND]"},
	Description: "Without COMMAND, list rawkit's commands; with one, print its options.",
	Operand:     "command",
	Exit:        "0, or 2 for an unknown command.",
	Examples: []cli.Example{
		{Command: "rawkit help", Text: "The commands, with a line each."},
		{Command: "rawkit help traceroute", Text: "traceroute's options, as its page lists them."},
	},
	SeeAlso: []string{"rawkit(1)"},
}

var versionDoc = cli.Doc{
	Synopsis: []string{"rawkit version", "rawkit -V", "rawkit ping -V", "rawkit traceroute -V"},
	Description: `Print which build of rawkit this is: the version of the release (the
nearest tag, or the version a package build gave), or, for a build from a
checkout past a tag, the commit and whether the tree was modified; then the
Go version and the platform.

  rawkit v1.2.0 (commit 44a6838c1234, go1.26.8 linux/amd64)
  rawkit devel (commit 44a6838c1234, modified, go1.26.8 linux/amd64)`,
	Exit:    "0, or 2 when given arguments.",
	SeeAlso: []string{"rawkit(1)"},
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
