package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); otherwise
// the module version from the build information is used.
var version = ""

var helpCmd = &command{
	name:    "help",
	summary: "show the commands, or one command's options",
	usage:   "usage: rawkit help [COMMAND]\n",
}

func init() {
	helpCmd.run = runHelp
	register(helpCmd)
	register(&command{
		name:    "version",
		summary: "print the version and exit",
		usage:   "usage: rawkit version\n",
		run:     runVersion,
	})
}

func runHelp(_ context.Context, io *stdio, args []string) int {
	switch len(args) {
	case 0:
		usageTop(io.out)
		return exitOK
	case 1:
		c, ok := commands[args[0]]
		if !ok {
			return failf(io, "help", "unknown command %q", args[0])
		}
		c.printUsage(io.out)
		return exitOK
	default:
		return failf(io, "help", "takes at most one command name, got %d arguments", len(args))
	}
}

func runVersion(_ context.Context, io *stdio, args []string) int {
	if len(args) > 0 {
		return failf(io, "version", "takes no arguments, got %q", args[0])
	}
	fmt.Fprintf(io.out, "rawkit %s (%s %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
