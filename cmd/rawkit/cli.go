package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
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

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("rawkit: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// run dispatches argv and returns the exit status.
func run(ctx context.Context, argv []string, io *stdio) int {
	if len(argv) == 0 {
		return usageTop(io.err)
	}
	// A link named after a subcommand (ping -> rawkit) runs that subcommand.
	if base := filepath.Base(argv[0]); base != "rawkit" {
		if c, ok := commands[base]; ok {
			return c.run(ctx, io, argv[1:])
		}
	}
	if len(argv) < 2 {
		return usageTop(io.err)
	}
	name, args := argv[1], argv[2:]
	switch name {
	case "-h", "--help":
		name = "help"
	case "-V", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(io.err, "rawkit: unknown command %q; run 'rawkit help' for the list\n", name)
		return exitError
	}
	return c.run(ctx, io, args)
}

func usageTop(w io.Writer) int {
	fmt.Fprint(w, "usage: rawkit COMMAND [ARGS...]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, "\nrun 'rawkit help COMMAND' for a command's options\n")
	return exitError
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
