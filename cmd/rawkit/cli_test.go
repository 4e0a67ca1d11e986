package main

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

func runArgs(t *testing.T, argv ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runArgsCtx(t, context.Background(), argv...)
}

func runArgsCtx(t *testing.T, ctx context.Context, argv ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = dispatch(ctx, allCommands(), argv, &cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestHelpListsCommands(t *testing.T) {
	t.Parallel()
	code, out, _ := runArgs(t, "rawkit", "help")
	if code != cli.ExitOK {
		t.Fatalf("exit %d, want 0", code)
	}
	for _, c := range allCommands() {
		if !strings.Contains(out, "  "+c.Name+" ") {
			t.Errorf("help output lacks %q:\n%s", c.Name, out)
		}
	}
}

// TestCommandsNamedOnce: the list has no two commands of one name, which
// the dispatcher would silently pick the first of.
func TestCommandsNamedOnce(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range allCommands() {
		if seen[c.Name] {
			t.Errorf("two commands named %q", c.Name)
		}
		seen[c.Name] = true
	}
	for _, name := range []string{"help", "version", "ping", "traceroute", "send", "capture", "lab", "serve", "connect", "exporter"} {
		if !seen[name] {
			t.Errorf("no command %q", name)
		}
	}
}

func TestHelpCommand(t *testing.T) {
	t.Parallel()
	code, out, _ := runArgs(t, "rawkit", "help", "version")
	if code != cli.ExitOK || !strings.HasPrefix(out, "usage: rawkit version") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runArgs(t, "/usr/local/bin/rawkit", "version")
	if code != cli.ExitOK || !strings.HasPrefix(out, "rawkit ") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	t.Parallel()
	cases := [][]string{
		{"rawkit", "no-such-tool"},
		{"rawkit", "help", "no-such-tool"},
		{"rawkit", "version", "extra"},
	}
	for _, argv := range cases {
		code, out, errOut := runArgs(t, argv...)
		if code != cli.ExitError {
			t.Errorf("%q: exit %d, want 2", argv, code)
		}
		if out != "" {
			t.Errorf("%q: wrote to stdout: %q", argv, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, argv[len(argv)-1]) {
			t.Errorf("%q: want one line naming the bad value, got %q", argv, errOut)
		}
	}
}

func TestArgv0Dispatch(t *testing.T) {
	t.Parallel()
	// A link named after a subcommand runs it; "version" stands in for ping here.
	code, out, _ := runArgs(t, "/usr/bin/version")
	if code != cli.ExitOK || !strings.HasPrefix(out, "rawkit ") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestNoArgsPrintsUsage(t *testing.T) {
	t.Parallel()
	code, _, errOut := runArgs(t, "rawkit")
	if code != cli.ExitError || !strings.Contains(errOut, "usage: rawkit") {
		t.Fatalf("exit %d, err %q", code, errOut)
	}
}

// TestVersionForms: rawkit version, rawkit -V and the -V of ping and
// traceroute (as iputils' and traceroute's) print one version line with
// the Go version, and open no socket.
func TestVersionForms(t *testing.T) {
	t.Parallel()
	for _, argv := range [][]string{
		{"rawkit", "version"}, {"rawkit", "-V"}, {"rawkit", "--version"},
		{"rawkit", "ping", "-V"}, {"rawkit", "traceroute", "-V"}, {"ping", "-V"},
	} {
		code, out, errOut := runArgs(t, argv...)
		name := "rawkit "
		if len(argv) > 1 && (argv[1] == "ping" || argv[1] == "traceroute") {
			name = "rawkit " + argv[1] + " "
		} else if argv[0] == "ping" {
			name = "rawkit ping "
		}
		if code != cli.ExitOK || errOut != "" || !strings.HasPrefix(out, name) || !strings.Contains(out, runtime.Version()) || strings.Count(out, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 0 and one line %q... with %s", argv, code, out, errOut, name, runtime.Version())
		}
	}
	if code, _, errOut := runArgs(t, "rawkit", "version", "extra"); code != cli.ExitError || strings.Count(errOut, "\n") != 1 {
		t.Errorf("version extra: exit %d, stderr %q; want 2 and one line", code, errOut)
	}
}
