// Command rawkit is one binary for raw-socket work: one subcommand per tool.
//
// It dispatches on its first argument (rawkit ping ...) or, when installed
// under another name, on argv[0]: a link named ping runs rawkit ping.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/endpoint"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/lab"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/mtr"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/ping"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/send"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/traceroute"
)

func main() {
	name := commandName(os.Args)
	if oneP(name) {
		runtime.GOMAXPROCS(1)
		coalesceWakeups()
	}
	ctx, stop, caught := cli.InterruptContext(!handlesQuit(name))
	if !startsFast(name) {
		// A server or monitor can be ready, and sent Ctrl-C, within
		// the moment signal.Notify takes on a busy machine: then the
		// default action ends it with no clean-up (a unix socket file
		// left behind, a capture not flushed). They wait for it.
		<-caught
	}
	code := dispatch(ctx, allCommands(), os.Args, &cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}

// allCommands lists rawkit's commands. Each is a small struct (long
// texts are built only when printed), so every run builds them all.
func allCommands() []*cli.Command {
	var all []*cli.Command
	all = append(all,
		helpCommand(func() []*cli.Command { return all }),
		versionCommand(),
		completionCommand(func() []*cli.Command { return all }),
		ping.New(nil),
		traceroute.New(nil),
		mtr.New(nil),
		send.New(nil),
		capture.New(nil),
		lab.New(nil),
		endpoint.NewServe(nil),
		endpoint.NewConnect(nil),
		exporterCommand(nil),
	)
	return all
}

// handlesQuit reports whether the command named name handles SIGQUIT
// itself: ping prints interim statistics on it, as iputils' does. For
// every other command main catches and drops the signal, so that Ctrl-\
// does not end the run with the Go runtime's goroutine dump.
func handlesQuit(name string) bool { return name == "ping" }

// startsFast reports whether the command named name goes on while its
// signals are being caught (cli.InterruptContext): ping, traceroute and
// send are timed from their start, and spend those 0.2-0.4 ms opening
// sockets instead. Every other command waits until they are caught.
func startsFast(name string) bool {
	return name == "ping" || name == "traceroute" || name == "send"
}

// oneP reports whether the command named name runs on one P
// (GOMAXPROCS 1), set before anything else starts: traceroute's work is
// short bursts between waits, a send or a read at a time. With a second
// P, each wake-up of one goroutine woke an idle thread to look for work
// (and found none), and its goroutines handed answers over between
// threads; the runtime's scheduling was about a quarter of a trace's CPU
// time (perf). On one P a trace took some 5% less CPU time and a quarter
// fewer context switches (medians of 40 runs). Its round trips are the
// kernel's stamps, which no P delays; coalesceWakeups does the rest.
func oneP(name string) bool { return name == "traceroute" }

// commandName returns the name of the command argv runs, as dispatch
// finds it ("" when it names none).
func commandName(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	if base := filepath.Base(argv[0]); base != "rawkit" {
		return base
	}
	if len(argv) < 2 {
		return ""
	}
	return argv[1]
}

// find returns the command named name, or nil.
func find(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// dispatch runs the one of cmds that argv names and returns its exit
// status.
func dispatch(ctx context.Context, cmds []*cli.Command, argv []string, sio *cli.Stdio) int {
	if len(argv) == 0 {
		return usageTop(cmds, sio.Err)
	}
	// A link named after a command (ping -> rawkit) runs that command.
	if base := filepath.Base(argv[0]); base != "rawkit" {
		if c := find(cmds, base); c != nil {
			return c.Run(ctx, sio, argv[1:])
		}
	}
	if len(argv) < 2 {
		return usageTop(cmds, sio.Err)
	}
	name, args := argv[1], argv[2:]
	switch name {
	case "-h", "--help":
		name = "help"
	case "-V", "--version":
		name = "version"
	}
	c := find(cmds, name)
	if c == nil {
		fmt.Fprintf(sio.Err, "rawkit: unknown command %q; run 'rawkit help' for the list\n", name)
		return cli.ExitError
	}
	return c.Run(ctx, sio, args)
}

// usageTop prints the list of commands, sorted by name, to w.
func usageTop(cmds []*cli.Command, w io.Writer) int {
	fmt.Fprint(w, "usage: rawkit COMMAND [ARGS...]\n\ncommands:\n")
	sorted := slices.SortedFunc(slices.Values(cmds), func(a, b *cli.Command) int { return strings.Compare(a.Name, b.Name) })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-12s %s\n", c.Name, c.Summary)
	}
	fmt.Fprint(w, "\nrun 'rawkit help COMMAND' for a command's options\n")
	return cli.ExitError
}
