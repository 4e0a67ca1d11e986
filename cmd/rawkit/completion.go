package main

import (
	"context"
	"io"
	"strings"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/docgen"
)

// completionCommand returns `rawkit completion SHELL`, which prints a
// completion script for the commands list returns, generated from their
// option tables.
func completionCommand(list func() []*cli.Command) *cli.Command {
	return &cli.Command{
		Name:    "completion",
		Summary: "print a shell completion script: bash, zsh or fish",
		Doc:     &completionDoc,
		Run: func(_ context.Context, sio *cli.Stdio, args []string) int {
			if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
				completionDoc.WriteHelp(sio.Out)
				return cli.ExitOK
			}
			if len(args) != 1 {
				return cli.Failf(sio, "completion", "want one shell (%s), got %d arguments", strings.Join(docgen.Shells, ", "), len(args))
			}
			script, ok := docgen.Completion(args[0], list())
			if !ok {
				return cli.Failf(sio, "completion", "unknown shell %q: want %s", args[0], strings.Join(docgen.Shells, ", "))
			}
			io.WriteString(sio.Out, script)
			return cli.ExitOK
		},
	}
}

var completionDoc = cli.Doc{
	Synopsis: []string{"rawkit completion bash|zsh|fish"},
	Description: `Print a script that completes rawkit's commands, their options, the values
of options that take one of a list (ping -M do|dont|want, traceroute -M,
serve --mode), interface names (-i, -I) and file names (-r, -w). The
package installs them in the shells' system directories; to load one
by hand:

  source <(rawkit completion bash)
  rawkit completion zsh > "${fpath[1]}/_rawkit"
  rawkit completion fish > ~/.config/fish/completions/rawkit.fish`,
	Words:   docgen.Shells,
	Exit:    "0, or 2 for a shell it does not know.",
	SeeAlso: []string{"rawkit(1)", "bash(1)", "zsh(1)", "fish(1)"},
}
