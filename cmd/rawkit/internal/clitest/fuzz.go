package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// FuzzArgs runs c with the arguments packed in s (separated by NUL
// bytes, at most 16) under a context that ends after a moment, and fails
// t unless c ends with status 0, 1 or 2, and a status 2 comes with
// exactly one line on stderr. The command's Env must make sure nothing is
// sent (fake socket openers); a panic fails the fuzz run by itself.
func FuzzArgs(t *testing.T, c *cli.Command, s string) { fuzzArgs(t, c, s, false) }

// FuzzArgsSpec is [FuzzArgs] for a command that shows where a spec is
// wrong: its one error line may be followed by the spec and a line
// with a caret under the fault.
func FuzzArgsSpec(t *testing.T, c *cli.Command, s string) { fuzzArgs(t, c, s, true) }

func fuzzArgs(t *testing.T, c *cli.Command, s string, caret bool) {
	t.Helper()
	args := strings.Split(s, "\x00")
	if len(args) > 16 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var out, errb bytes.Buffer
	code := c.Run(ctx, &cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
	switch code {
	case cli.ExitOK, cli.ExitNoReply:
	case cli.ExitError:
		e := errb.String()
		if lines := strings.Split(e, "\n"); caret && len(lines) == 4 && strings.TrimLeft(lines[2], " ") == "^" {
			e = lines[0] + "\n"
		}
		if n := strings.Count(e, "\n"); n != 1 || !strings.HasSuffix(e, "\n") {
			t.Fatalf("%q: exit 2 with %d lines on stderr:\n%s", args, n, errb.String())
		}
	default:
		t.Fatalf("%q: exit %d; stderr:\n%s", args, code, errb.String())
	}
}
