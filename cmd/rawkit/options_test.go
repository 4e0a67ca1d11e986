package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestOptionTablesMatchParsers: the option table of a command (what help,
// the manual page and the completions show) names every option its parser
// takes, and its parser takes every option the table names. Each short
// option -a..-Z, -0..-9 and every long option of the table is given alone
// (capture: with -r of a file that does not exist), so that no command
// runs: it either refuses the option as unknown, or fails or prints its
// help for another reason. lab is left out: its options belong to its
// subcommands.
func TestOptionTablesMatchParsers(t *testing.T) {
	t.Parallel()
	prefix := map[string][]string{"capture": {"-r", "/nonexistent/rawkit-test.pcap"}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // nothing may run for long even if an option starts it
	for _, c := range allCommands() {
		switch c.Name {
		case "ping", "traceroute", "send", "capture", "serve", "connect":
		default:
			continue
		}
		inTable := map[string]bool{}
		for _, o := range c.Doc.Options {
			for _, n := range o.Names {
				inTable[n] = true
			}
		}
		unknown := func(opt string) bool {
			argv := append([]string{"rawkit", c.Name}, prefix[c.Name]...)
			_, _, errOut := runArgsCtx(t, ctx, append(argv, opt)...)
			return strings.Contains(errOut, "unknown option") || strings.Contains(errOut, "not defined")
		}
		var letters []string
		for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
			letters = append(letters, fmt.Sprintf("-%c", r))
		}
		for _, opt := range letters {
			if !unknown(opt) && !inTable[opt] {
				t.Errorf("%s takes %s, which its option table (doc.go) does not list", c.Name, opt)
			}
		}
		for opt := range inTable {
			if unknown(opt) {
				t.Errorf("%s's option table lists %s, which its parser does not take", c.Name, opt)
			}
		}
	}
}
