package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// TestCompletionUnknownShell: one line naming the shell, status 2.
func TestCompletionUnknownShell(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"ksh"}, {}, {"bash", "zsh"}} {
		code, out, errOut := runArgs(t, append([]string{"rawkit", "completion"}, args...)...)
		if code != cli.ExitError || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("completion %q: exit %d, stdout %q, stderr %q; want 2, nothing, one line", args, code, out, errOut)
		}
	}
	if _, _, errOut := runArgs(t, "rawkit", "completion", "ksh"); !strings.Contains(errOut, `"ksh"`) {
		t.Errorf("completion ksh: %q does not name the shell", errOut)
	}
}

// TestBashCompletion runs the bash script's function in bash for a few
// command lines, as bash would on Tab, and checks what it offers.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	_, script, _ := runArgs(t, "rawkit", "completion", "bash")
	dir := t.TempDir()
	for _, f := range []string{"trace.pcap", "trace.pcapng", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		line string // the words before the cursor; the last is completed
		want []string
		not  []string
	}{
		{"rawkit tr", []string{"traceroute"}, []string{"ping"}},
		{"rawkit ping -M ", []string{"do", "dont", "want"}, []string{"-c"}},
		{"rawkit ping --mo", []string{"--mode"}, nil},
		{"rawkit ping --mode=r", []string{"raw"}, []string{"ping", "auto"}},
		{"rawkit traceroute -M ", []string{"udp", "icmp", "tcp"}, nil},
		{"rawkit traceroute -i l", []string{"lo"}, nil},
		{"rawkit capture -r " + dir + "/trace", []string{dir + "/trace.pcap", dir + "/trace.pcapng"}, []string{dir + "/notes.txt"}},
		{"rawkit serve ", []string{"tcp", "udp", "unix", "unixgram"}, nil},
		{"rawkit serve tcp :7 --mode ", []string{"echo", "discard", "chargen", "daytime", "fixed"}, nil},
		{"rawkit lab --name x ", []string{"up", "exec", "down", "status"}, []string{"x"}},
		{"rawkit help pi", []string{"ping"}, nil},
		{"rawkit completion ", []string{"bash", "zsh", "fish"}, nil},
		{"rawkit ping -c ", nil, []string{"-c", "do"}},
	}
	for _, c := range cases {
		words := strings.Split(c.line, " ")
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, "'"+w+"'")
		}
		prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_rawkit\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		if err != nil {
			t.Errorf("%q: bash: %v\n%s", c.line, err, out)
			continue
		}
		got := strings.Fields(string(out))
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: completions %q lack %q", c.line, got, w)
			}
		}
		for _, w := range c.not {
			if slices.Contains(got, w) {
				t.Errorf("%q: completions %q include %q", c.line, got, w)
			}
		}
		if c.want == nil && len(got) != 0 {
			t.Errorf("%q: completions %q, want none", c.line, got)
		}
	}
}

// TestCompletionSyntax: each script parses in its shell (bash -n, zsh -n,
// fish -n), where that shell is installed.
func TestCompletionSyntax(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s not installed: its script is not parsed", shell)
			continue
		}
		_, script, _ := runArgs(t, "rawkit", "completion", shell)
		f := filepath.Join(t.TempDir(), "script")
		if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path, "-n", f).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}
}
