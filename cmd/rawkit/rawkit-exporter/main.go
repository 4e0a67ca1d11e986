// Command rawkit-exporter is rawkit's Prometheus exporter (package
// exporter), a binary of its own so that the HTTP, TLS, YAML and
// Prometheus libraries it links, and their package initialisation, stay
// out of the rawkit binary that runs ping and traceroute. `rawkit
// exporter ARGS` executes it with ARGS; see rawkit-exporter(1).
//
//	rawkit-exporter --config.file FILE [--web.listen-address HOST:PORT] [--web.config.file FILE]
//	rawkit-exporter --version
package main

import (
	"fmt"
	"os"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter/exporterdoc"
)

func main() {
	sio := &cli.Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	args := os.Args[1:]
	if len(args) == 1 {
		switch args[0] {
		case "version", "--version", "-V":
			fmt.Fprintln(sio.Out, buildinfo.Line(exporterdoc.Binary))
			os.Exit(cli.ExitOK)
		case "help":
			exporterdoc.Doc.WriteHelp(sio.Out)
			os.Exit(cli.ExitOK)
		}
	}
	// SIGINT and SIGTERM end the run; SIGQUIT is caught and dropped, as
	// rawkit's main drops it for every command but ping; the exporter
	// catches SIGHUP itself, for reloads.
	ctx, stop, _ := cli.InterruptContext(true)
	code := exporter.New(&exporter.Env{Version: buildinfo.Version()}).Run(ctx, sio, args)
	stop()
	os.Exit(code)
}
