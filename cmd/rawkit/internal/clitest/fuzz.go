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
func FuzzArgs(t *testing.T, c *cli.Command, s string) {
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
		if n := strings.Count(errb.String(), "\n"); n != 1 || !strings.HasSuffix(errb.String(), "\n") {
			t.Fatalf("%q: exit 2 with %d lines on stderr:\n%s", args, n, errb.String())
		}
	default:
		t.Fatalf("%q: exit %d; stderr:\n%s", args, code, errb.String())
	}
}
