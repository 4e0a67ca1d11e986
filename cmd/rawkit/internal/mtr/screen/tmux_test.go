//go:build linux

package screen

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// The screen in a real terminal: tmux runs a shell, the shell runs the
// screen, and the test reads the pane as a user sees it. Unlike the
// simulation screen this goes through terminfo, the tty's modes, the
// alternate screen and SIGWINCH.

// demoEnv, set to 1, makes this test binary show the screen on its
// terminal with a fixed snapshot instead of running the tests.
const demoEnv = "RAWKIT_SCREEN_DEMO"

func TestMain(m *testing.M) {
	if os.Getenv(demoEnv) == "1" {
		os.Exit(demo())
	}
	os.Exit(m.Run())
}

func demo() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	scr, err := tcell.NewScreen()
	if err == nil {
		err = Run(ctx, scr, newFakeMonitor(labSnapshot()), &Config{Hostname: "demo", Version: "v-test"})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	return 0
}

// tmux is a tmux server of the test's own (its own socket, no user
// configuration) with one session, rk, of one pane.
type tmux struct {
	t    *testing.T
	bin  string
	sock string
	dir  string
}

// newTmux starts a w×h session running shell (a command and arguments)
// and kills the server when the test ends.
func newTmux(t *testing.T, w, h int, shell ...string) *tmux {
	t.Helper()
	x := &tmux{t: t, bin: netlabtest.NeedTool(t, "tmux"), dir: t.TempDir()}
	x.sock = filepath.Join(x.dir, "tmux.sock")
	args := append([]string{"new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-s", "rk"}, shell...)
	x.run(args...)
	t.Cleanup(func() { _ = exec.Command(x.bin, "-S", x.sock, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command(x.bin, append([]string{"-S", x.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (j, Enter, C-c) to the pane.
func (x *tmux) keys(keys ...string) { x.run(append([]string{"send-keys", "-t", "rk"}, keys...)...) }

// line types text into the shell and presses Enter.
func (x *tmux) line(text string) {
	x.run("send-keys", "-t", "rk", "-l", text)
	x.keys("Enter")
}

func (x *tmux) pane() string { return x.run("capture-pane", "-p", "-t", "rk") }

// format is tmux's display-message -p: the pane's state (#{pane_width}).
func (x *tmux) format(f string) string {
	return strings.TrimSpace(x.run("display-message", "-p", "-t", "rk", f))
}

// waitPane polls the pane (tmux has no way to wait for content) until it
// holds every one of texts, for at most 20 s, and returns it.
func (x *tmux) waitPane(texts ...string) string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p := x.pane()
		missing := ""
		for _, s := range texts {
			if !strings.Contains(p, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return p
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("pane never showed %q; last pane:\n%s", missing, p)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var exitLine = regexp.MustCompile(`(?m)^screen-exit=([0-9]+)$`)

// waitPaneMatch is waitPane for a regular expression.
func (x *tmux) waitPaneMatch(re *regexp.Regexp) string {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p := x.pane()
		if re.MatchString(p) {
			return p
		}
		if time.Now().After(deadline) {
			x.t.Fatalf("pane never matched %v; last pane:\n%s", re, p)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// exercise drives a screen started by command in x's shell through the
// keys and sizes of the issue: hop lines at 120×40 (hops holds texts of
// them), j, d, a resize to 80×24, a too-small terminal and back, then
// quit with key; it checks each screen, the exit status and that the
// shell's terminal is as it was.
func exercise(t *testing.T, x *tmux, command, key string, hops ...string) {
	before, after := filepath.Join(x.dir, "stty.before"), filepath.Join(x.dir, "stty.after")
	// The exit line comes after the second stty: when it shows, both
	// files are written.
	x.line(fmt.Sprintf("stty -g > %s; %s; st=$?; stty -g > %s; echo screen-exit=$st", before, command, after))
	p := x.waitPane(append([]string{"Keys:  Help   Display mode   Restart statistics   Order of fields   quit",
		" Host", "Loss%   Snt   Last   Avg  Best  Wrst StDev"}, hops...)...)
	t.Logf("at 120x40:\n%s", p)
	if got := x.format("#{alternate_on}"); got != "1" {
		t.Errorf("screen not on the alternate screen (alternate_on %q)", got)
	}
	x.keys("j")
	x.waitPane(" Drop   Rcv    Avg Gmean Jttr Javg Jmax Jint")
	x.keys("d")
	x.waitPane(" Last  88 pings", "Scale:")
	x.run("resize-window", "-t", "rk", "-x", "80", "-y", "24")
	p = x.waitPane(" Last  48 pings", "Scale:")
	t.Logf("d, at 80x24:\n%s", p)
	if got := x.format("#{pane_width}x#{pane_height}"); got != "80x24" {
		t.Errorf("pane %s after the resize, want 80x24", got)
	}
	// mtr's place for the time: 25 columns from the right edge.
	if row := strings.Split(p, "\n")[1]; len(row) != 79 || row[55+10] != 'T' {
		t.Errorf("time not at column 55 of 80: %q", row)
	}
	x.run("resize-window", "-t", "rk", "-x", "40", "-y", "6")
	x.waitPane("terminal 40x6 is too", "needs 47x7")
	x.run("resize-window", "-t", "rk", "-x", "80", "-y", "24")
	x.keys("d", "d", "d") // round to the statistics
	x.waitPane(" Drop   Rcv    Avg Gmean Jttr Javg Jmax Jint")
	x.keys(key)
	// The typed command line holds "screen-exit=$st": wait for a number.
	p = x.waitPaneMatch(exitLine)
	if m := exitLine.FindStringSubmatch(p); m[1] != "0" {
		t.Errorf("exit status %s, want 0:\n%s", m[1], p)
	}
	if strings.Contains(p, "Keys:") {
		t.Errorf("the screen's text left on the shell's screen:\n%s", p)
	}
	if got := x.format("#{alternate_on} #{cursor_flag}"); got != "0 1" {
		t.Errorf("alternate screen and cursor %q after exit, want \"0 1\" (normal screen, cursor shown)", got)
	}
	b, errB := os.ReadFile(before)
	a, errA := os.ReadFile(after)
	if errB != nil || errA != nil || string(a) != string(b) {
		t.Errorf("tty modes not restored: before %q (%v), after %q (%v)", b, errB, a, errA)
	}
}

// TestScreenInTmux runs this package's screen, with a fixed snapshot,
// in a real terminal.
func TestScreenInTmux(t *testing.T) {
	for _, key := range []string{"q", "C-c"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			x := newTmux(t, 120, 40, "env", "PS1=$ ", "bash", "--norc", "--noprofile", "-i")
			exercise(t, x, fmt.Sprintf("%s=1 %s", demoEnv, os.Args[0]), key, " 1. 10.0.1.1", "    10.0.2.2")
		})
	}
}
