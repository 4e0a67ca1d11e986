package mtr

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp/trace"
)

// screenTestMonitor is a monitor whose Run plays rounds of a fixed
// one-hop path through the config's hooks, as the engine does, then
// returns fail (or waits for its context when rounds is 0).
type screenTestMonitor struct {
	cfg    *trace.MonitorConfig
	dst    netip.Addr
	rounds int
	fail   error

	mu     sync.Mutex
	done   int
	paused []bool
}

func (m *screenTestMonitor) Run(ctx context.Context) (trace.MonitorSnapshot, error) {
	for n := 1; n <= max(m.rounds, 1); n++ {
		m.mu.Lock()
		m.done = n
		m.mu.Unlock()
		m.cfg.Probe(trace.MonitorProbe{Round: int64(n), TTL: 1, Answered: true, From: m.dst, RTT: time.Millisecond, Reached: true})
		m.cfg.Round(n, time.Now())
	}
	if m.fail != nil || m.rounds > 0 {
		return m.Snapshot(), m.fail
	}
	<-ctx.Done()
	return m.Snapshot(), ctx.Err()
}

func (m *screenTestMonitor) Snapshot() trace.MonitorSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := trace.ResponderStats{Addr: m.dst, Received: m.done, Last: time.Millisecond}
	return trace.MonitorSnapshot{Target: m.dst.String(), Dst: m.dst, Method: trace.MethodICMP, Flows: 1, Rounds: m.done,
		Reached: true, Hops: []trace.HopStats{{TTL: 1, Sent: m.done, Responders: []trace.ResponderStats{r},
			All: r, Latest: m.dst, FirstSeen: []netip.Addr{m.dst}}}}
}

func (m *screenTestMonitor) SetPaused(p bool) {
	m.mu.Lock()
	m.paused = append(m.paused, p)
	m.mu.Unlock()
}

func (m *screenTestMonitor) Reset()       {}
func (m *screenTestMonitor) Close() error { return nil }

// textScreen is a simulation screen that keeps the text of the last
// frame shown (Show runs on the screen's goroutine).
type textScreen struct {
	tcell.SimulationScreen
	mu    sync.Mutex
	frame string
}

func (s *textScreen) Show() {
	s.SimulationScreen.Show()
	cells, w, h := s.GetContents()
	var b strings.Builder
	for i, c := range cells[:w*h] {
		if len(c.Runes) == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteString(string(c.Runes))
		}
		if i%w == w-1 {
			b.WriteByte('\n')
		}
	}
	s.mu.Lock()
	s.frame = b.String()
	s.mu.Unlock()
}

func (s *textScreen) waitText(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		f := s.frame
		s.mu.Unlock()
		if strings.Contains(f, text) {
			return
		}
	}
	t.Fatalf("no frame with %q", text)
}

// screenEnv is an Env whose monitors are m's and whose terminal is scr.
func screenEnv(scr tcell.Screen, termErr error, mons map[netip.Addr]*screenTestMonitor) *Env {
	return &Env{
		NewMonitor: func(dst netip.Addr, cfg *trace.MonitorConfig) (Monitor, error) {
			m := mons[dst]
			m.cfg, m.dst = cfg, dst
			return m, nil
		},
		DropPrivileges: func() error { return nil },
		Resolver:       clitest.NoDNS(),
		Hostname:       func() (string, error) { return "testhost", nil },
		Getenv:         func(string) string { return "" },
		IsTerminal:     func(*cli.Stdio) bool { return true },
		Terminal:       func() (tcell.Screen, error) { return scr, termErr },
	}
}

func runMtr(env *Env, args ...string) (chan int, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- New(env).Run(context.Background(), &cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
	}()
	return code, &out, &errb
}

func wait(t *testing.T, code chan int) int {
	t.Helper()
	select {
	case c := <-code:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("rawkit mtr did not end")
		return 0
	}
}

func TestScreenRunsForTwoTargets(t *testing.T) {
	t.Parallel()
	scr := &textScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	mons := map[netip.Addr]*screenTestMonitor{a: {}, b: {}}
	code, out, errb := runMtr(screenEnv(scr, nil, mons), "-n", a.String(), b.String())
	scr.waitText(t, "testhost -> 2 targets")
	scr.waitText(t, " 1. 192.0.2.2")
	scr.waitText(t, "rawkit mtr (raw)")
	scr.InjectKey(tcell.KeyRune, 'p', tcell.ModNone)
	scr.waitText(t, "[paused]")
	scr.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	if c := wait(t, code); c != cli.ExitOK || out.Len() > 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and nothing printed", c, out, errb)
	}
	if _, w, h := scr.GetContents(); w != 0 || h != 0 {
		t.Errorf("terminal not restored: screen still %dx%d", w, h)
	}
	for _, m := range mons {
		if len(m.paused) != 1 || !m.paused[0] {
			t.Errorf("monitor of %v paused %v, want [true]", m.dst, m.paused)
		}
	}
}

func TestScreenEndsOnMonitorError(t *testing.T) {
	t.Parallel()
	scr := &textScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	a := netip.MustParseAddr("192.0.2.1")
	mons := map[netip.Addr]*screenTestMonitor{a: {rounds: 1, fail: errors.New("sendmsg: network is unreachable")}}
	code, _, errb := runMtr(screenEnv(scr, nil, mons), "-n", a.String())
	if c := wait(t, code); c != cli.ExitError || errb.String() != "rawkit mtr: sendmsg: network is unreachable\n" {
		t.Fatalf("exit %d, stderr %q; want 2 and the error in one line", c, errb)
	}
	if _, w, h := scr.GetContents(); w != 0 || h != 0 {
		t.Errorf("terminal not restored: screen still %dx%d", w, h)
	}
}

func TestScreenEndsAfterCount(t *testing.T) {
	t.Parallel()
	scr := &textScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	a := netip.MustParseAddr("192.0.2.1")
	mons := map[netip.Addr]*screenTestMonitor{a: {rounds: 3}}
	code, out, errb := runMtr(screenEnv(scr, nil, mons), "-n", "-c", "3", a.String())
	if c := wait(t, code); c != cli.ExitOK || out.Len() > 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and nothing printed", c, out, errb)
	}
}

func TestScreenWithoutTerminal(t *testing.T) {
	t.Parallel()
	a := netip.MustParseAddr("192.0.2.1")
	mons := map[netip.Addr]*screenTestMonitor{a: {}}
	code, _, errb := runMtr(screenEnv(nil, errors.New("open /dev/tty: no such device or address"), mons), "-n", a.String())
	if c := wait(t, code); c != cli.ExitError || errb.String() != "rawkit mtr: terminal: open /dev/tty: no such device or address\n" {
		t.Fatalf("exit %d, stderr %q", c, errb)
	}
}

func TestReplayScreen(t *testing.T) {
	t.Parallel()
	scr := &textScreen{SimulationScreen: tcell.NewSimulationScreen("UTF-8")}
	code, out, errb := runMtr(screenEnv(scr, nil, nil), "-n", "--replay", "testdata/diamond.jsonl")
	// The recording's ECMP hop: both branches, each on its own line.
	for _, text := range []string{"rawkit mtr UDP (replay, raw)", "vm -> 10.0.6.2", " 1. 10.0.1.2", " 2. 10.0.",
		"    10.0.2.2 {", "    10.0.3.2 {", " 4. 10.0.6.2"} {
		scr.waitText(t, text)
	}
	scr.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	if c := wait(t, code); c != cli.ExitOK || out.Len() > 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and nothing printed", c, out, errb)
	}
}

// TestNoTerminalReports: without a terminal the default mode prints the
// -r report, after mtr's 10 report cycles, not rounds without end.
func TestNoTerminalReports(t *testing.T) {
	t.Parallel()
	a := netip.MustParseAddr("192.0.2.1")
	mons := map[netip.Addr]*screenTestMonitor{a: {rounds: 1}}
	env := screenEnv(nil, errors.New("no terminal wanted"), mons)
	env.IsTerminal = func(*cli.Stdio) bool { return false }
	code, out, errb := runMtr(env, "-n", a.String())
	if c := wait(t, code); c != cli.ExitOK || !strings.Contains(out.String(), "HOST: testhost") || errb.Len() > 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and the -r report", c, out, errb)
	}
	if n := mons[a].cfg.Count; n != 10 {
		t.Errorf("monitor asked for %d rounds, want mtr's 10 report cycles", n)
	}
}
