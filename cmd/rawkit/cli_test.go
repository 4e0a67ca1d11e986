package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/craft/spec"
)

func runArgs(t *testing.T, argv ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), argv, &stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runArgs(t, "rawkit", "help")
	if code != exitOK {
		t.Fatalf("exit %d, want 0", code)
	}
	for name := range commands {
		if !strings.Contains(out, "  "+name+" ") {
			t.Errorf("help output lacks %q:\n%s", name, out)
		}
	}
}

func TestHelpCommand(t *testing.T) {
	code, out, _ := runArgs(t, "rawkit", "help", "version")
	if code != exitOK || !strings.HasPrefix(out, "usage: rawkit version") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

// TestHelpSendHasSpecReference: send's usage ends with the spec
// reference, built when printed; help and --help print the same.
func TestHelpSendHasSpecReference(t *testing.T) {
	want := sendUsage + spec.Help()
	for _, argv := range [][]string{{"rawkit", "help", "send"}, {"rawkit", "send", "--help"}} {
		code, out, _ := runArgs(t, argv...)
		if code != exitOK || out != want {
			t.Errorf("%q: exit %d, %d bytes of output, want 0 and the %d bytes of usage and spec reference", argv, code, len(out), len(want))
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runArgs(t, "/usr/local/bin/rawkit", "version")
	if code != exitOK || !strings.HasPrefix(out, "rawkit ") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestBadInputExitsTwoWithOneLine(t *testing.T) {
	cases := [][]string{
		{"rawkit", "no-such-tool"},
		{"rawkit", "help", "no-such-tool"},
		{"rawkit", "version", "extra"},
		{"rawkit", "capture", "-no-such-flag"},
	}
	for _, argv := range cases {
		code, out, errOut := runArgs(t, argv...)
		if code != exitError {
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
	// A link named after a subcommand runs it; "version" stands in for ping here.
	code, out, _ := runArgs(t, "/usr/bin/version")
	if code != exitOK || !strings.HasPrefix(out, "rawkit ") {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestNoArgsPrintsUsage(t *testing.T) {
	code, _, errOut := runArgs(t, "rawkit")
	if code != exitError || !strings.Contains(errOut, "usage: rawkit") {
		t.Fatalf("exit %d, err %q", code, errOut)
	}
}
