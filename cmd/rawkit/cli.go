// TEMPORARY, until send, capture, lab, serve and connect move to their
// own packages: the registry they still fill from init, their types for
// a command and its stdio, and legacyCommands, which hands them to main's
// list as *cli.Command. When they have moved, this file goes and main.go
// lists their New functions instead of legacyCommands.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// Exit statuses, as iputils uses them: 0 success, 1 no reply, 2 any error.
const (
	exitOK      = 0
	exitNoReply = 1
	exitError   = 2
)

// stdio is where a subcommand reads and writes; tests pass buffers.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// command is one subcommand. Each lives in its own file and registers
// itself from init, so adding a tool never touches the dispatcher.
type command struct {
	name    string
	summary string // one line for `rawkit help`
	usage   string // full text for `rawkit help NAME`; starts with the synopsis
	// usageMore, if set, returns text that follows usage. It is built
	// only when printed: every run of every subcommand pays for what
	// init builds (send's spec reference took 0.2 ms).
	usageMore func() string
	run       func(ctx context.Context, io *stdio, args []string) int
}

// printUsage writes c's full usage text to w.
func (c *command) printUsage(w io.Writer) {
	io.WriteString(w, c.usage)
	if c.usageMore != nil {
		io.WriteString(w, c.usageMore())
	}
}

// commands is the legacy registry; main's list reads it once, through
// legacyCommands, and the legacy commands look themselves up in it.
var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("rawkit: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// legacyCommands returns the registered legacy commands, sorted by name,
// as *cli.Command for main's list.
func legacyCommands() []*cli.Command {
	out := make([]*cli.Command, 0, len(commands))
	for _, c := range commands {
		out = append(out, &cli.Command{
			Name:      c.name,
			Summary:   c.summary,
			Usage:     c.usage,
			UsageMore: c.usageMore,
			Run: func(ctx context.Context, sio *cli.Stdio, args []string) int {
				return c.run(ctx, &stdio{in: sio.In, out: sio.Out, err: sio.Err}, args)
			},
		})
	}
	slices.SortFunc(out, func(a, b *cli.Command) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// failf prints one line, "rawkit NAME: message", and returns exitError.
// Every bad value and every error a subcommand meets ends here: one line,
// status 2, never a stack trace.
func failf(io *stdio, name, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	msg = strings.TrimRight(msg, "\n")
	fmt.Fprintf(io.err, "rawkit %s: %s\n", name, msg)
	return exitError
}

// newFlags returns a FlagSet that reports errors instead of exiting and
// prints nothing itself: parseFlags turns its outcome into one line.
func newFlags(_ *stdio, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args and maps the outcome to an exit status: -1 means
// carry on, anything else is the status to return. -h prints the command's
// usage on standard output (status 0); a bad flag prints one line naming
// it (status 2), never the whole usage.
func parseFlags(sio *stdio, fs *flag.FlagSet, args []string) int {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return -1
	case errors.Is(err, flag.ErrHelp):
		commands[fs.Name()].printUsage(sio.out)
		return exitOK
	default:
		return failf(sio, fs.Name(), "%v (run 'rawkit help %s')", err, fs.Name())
	}
}
