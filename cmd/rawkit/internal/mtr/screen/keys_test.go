package screen

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"
)

func TestJitterKey(t *testing.T) {
	t.Parallel()
	r := start(t, 120, 40, newFakeMonitor(labSnapshot()), nil)
	r.waitText("Loss%   Snt   Last   Avg  Best  Wrst StDev")
	r.key("j")
	f := r.waitText(" Drop   Rcv    Avg Gmean Jttr Javg Jmax Jint")
	const s = 120 - 44 - 1
	for _, want := range []string{
		at(s, " 1. 10.0.1.1", "", "    0    10    1.3   1.2  0.4  0.5  1.5  0.6"),
		at(s, " 2. 10.0.2.1", "R", "    2     8    2.5   2.4  0.4  0.5  1.5  0.6"),
		at(s, "    10.0.2.2", "", "          3    2.8   2.7  0.4  0.5  1.5  0.6"),
		at(s, "    10.0.2.1", "", "          5    2.3   2.2  0.4  0.5  1.5  0.6"),
	} {
		if !slices.Contains(strings.Split(f, "\n"), want) {
			t.Errorf("no row %q in\n%s", want, f)
		}
	}
	r.key("j")
	r.waitText("Loss%   Snt   Last   Avg  Best  Wrst StDev")
}

func TestDisplayModes(t *testing.T) {
	t.Parallel()
	r := start(t, 120, 40, newFakeMonitor(labSnapshot()), nil)
	r.waitText(" Host")
	// 1: the block map; the scale runs from 1 ms to 9.8 ms over all hops.
	r.key("d")
	f := r.waitText(" Last  88 pings", "Scale:")
	const x = chartPadding - 1 // the first probe's column, for 88 probes
	for ttl, probes := range map[string]string{
		" 1. 10.0.1.1": "...", " 2. 10.0.2.1": ".?..", " 3. (waiting for reply)": "??", " 4. 10.0.3.2": ".>.?.",
	} {
		row := rowOf(f, ttl)
		if got := strings.TrimSpace(row[min(len(row), x):]); got != probes {
			t.Errorf("mode 1 %s: probes %q, want %q (row %q)", ttl, got, probes, row)
		}
		if len(row) != x+88 {
			t.Errorf("mode 1 %s: newest probe at column %d, want %d", ttl, len(row)-1, x+87)
		}
	}
	// 2: the scaled strip chart, mtr's . 1 2 3 a b c >.
	// Bounds: 1 ms + 8.8 ms × ((i+1)/8)², mtr_gen_scale's.
	r.key("d")
	f = r.waitFor("hop 4 in mode 2", func(f string) bool { return strings.HasSuffix(rowOf(f, " 4. 10.0.3.2"), "a>a?a") })
	if row := rowOf(f, "Scale:"); row != "Scale:  .:1.1 ms  1:1.6 ms  2:2.2 ms  3:3.2 ms  a:4.4 ms  b:6 ms  c:7.7 ms  >" {
		t.Errorf("mode 2 scale %q", row)
	}
	if got := strings.TrimSpace(rowOf(f, " 1. 10.0.1.1")[x:]); got != ".12" {
		t.Errorf("mode 2: hop 1 probes %q, want %q", got, ".12")
	}
	// 3: the sparkline.
	r.key("d")
	f = r.waitFor("hop 4 in mode 3", func(f string) bool { return strings.HasSuffix(rowOf(f, " 4. 10.0.3.2"), "▅█▅?▅") })
	if row := rowOf(f, "Scale:"); !strings.HasPrefix(row, "Scale:  ▁:1.1 ms  ▂:1.6 ms") || !strings.HasSuffix(row, "▇:7.7 ms  █") {
		t.Errorf("mode 3 scale %q", row)
	}
	// and round to the statistics.
	r.key("d")
	r.waitText(" Host", "Loss%")
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := start(t, 80, 24, newFakeMonitor(labSnapshot()), nil)
	r.waitText(" 1. 10.0.1.1")
	r.key("?")
	f := r.waitText("Command:", "  p       pause (SPACE to resume)", "  j       toggle latency(LS NABWV)/jitter(DR AGJMXI) stats",
		"press any key to go back...")
	if strings.Contains(f, "10.0.1.1") {
		t.Errorf("hops drawn over the help:\n%s", f)
	}
	r.key("x")
	r.waitText(" 1. 10.0.1.1")
	r.key("h")
	r.waitText("Command:")
}

func TestPauseResetDNS(t *testing.T) {
	t.Parallel()
	mon := newFakeMonitor(labSnapshot())
	r := start(t, 80, 24, mon, nil)
	r.waitText(" 1. 10.0.1.1")
	r.key("p")
	r.waitText("[paused]")
	r.key(" ")
	r.waitFor("no pause mark", func(f string) bool { return !strings.Contains(f, "[paused]") })
	r.key("p")
	r.waitText("[paused]")
	r.key("p")
	r.waitFor("no pause mark", func(f string) bool { return !strings.Contains(f, "[paused]") })
	r.scr.InjectKey(tcell.KeyCtrlS, 0, tcell.ModCtrl)
	r.waitText("[paused]")
	r.key("rnn")
	r.key("q")
	if err := r.ended(); err != nil {
		t.Fatal(err)
	}
	want := []string{"pause true", "pause false", "pause true", "pause false", "pause true", "reset", "dns false", "dns true"}
	if got := mon.recorded(); !slices.Equal(got, want) {
		t.Errorf("monitor got %q, want %q", got, want)
	}
}

func TestFieldOrderPrompt(t *testing.T) {
	t.Parallel()
	r := start(t, 80, 24, newFakeMonitor(labSnapshot()), nil)
	r.waitText(" 1. 10.0.1.1")
	r.key("o")
	r.waitText("Fields: ", "  L: Loss Ratio", "  I: Interarrival Jitter")
	r.key("LZzR")
	r.waitText("Fields: LR")
	r.scr.InjectKey(tcell.KeyBackspace2, 0, tcell.ModNone)
	r.key("XS")
	r.waitText("Fields: LXS")
	r.scr.InjectKey(tcell.KeyEnter, 0, tcell.ModNone)
	f := r.waitText(" Host", " Loss% Jmax   Snt")
	const s = 80 - 17 - 1
	if row := rowOf(f, " 1. 10.0.1.1"); row != at(s, " 1. 10.0.1.1", "", "  0.0%  1.5    10") {
		t.Errorf("hop 1 row %q", row)
	}
	// Esc leaves the order as it was.
	r.key("oN")
	r.waitText("Fields: N")
	r.scr.InjectKey(tcell.KeyEscape, 0, tcell.ModNone)
	r.waitText(" Loss% Jmax   Snt")
}

func TestResizeAndTooSmall(t *testing.T) {
	t.Parallel()
	r := start(t, 120, 40, newFakeMonitor(labSnapshot()), nil)
	r.waitText(at(120-44, " 1. 10.0.1.1", "", "  0.0%    10    1.2   1.3   1.0   2.0   0.3"))
	r.resize(80, 24)
	f := r.waitText(at(80-44, " 1. 10.0.1.1", "", "  0.0%    10    1.2   1.3   1.0   2.0   0.3"))
	if rows := strings.Split(f, "\n"); len(rows) != 25 { // 24 rows and the last newline
		t.Errorf("frame has %d rows at 80x24", len(rows)-1)
	}
	r.resize(40, 6)
	r.waitText("terminal 40x6 is too small", "rawkit mtr needs 68x7")
	// Still running: it draws again once the terminal is big enough.
	r.resize(80, 24)
	r.waitText(" 1. 10.0.1.1")
	r.key("d")
	r.resize(46, 7)
	r.waitText("terminal 46x7 is too small", "rawkit mtr needs 47x7")
	r.resize(47, 7)
	r.waitText(" 1. 10.0.1.1", " Last  15 pings")
}

func TestQuitRestoresTerminal(t *testing.T) {
	t.Parallel()
	for name, end := range map[string]func(r *run){
		"q":       func(r *run) { r.key("q") },
		"Q":       func(r *run) { r.key("Q") },
		"Ctrl-C":  func(r *run) { r.scr.InjectKey(tcell.KeyCtrlC, 0, tcell.ModCtrl) },
		"context": func(r *run) { r.stop() },
		"in help": func(r *run) { r.key("?"); r.waitText("Command:"); r.scr.InjectKey(tcell.KeyCtrlC, 0, tcell.ModCtrl) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := start(t, 80, 24, newFakeMonitor(labSnapshot()), nil)
			r.waitText(" 1. 10.0.1.1")
			end(r)
			if err := r.ended(); err != nil {
				t.Fatalf("Run: %v", err)
			}
			// Fini has run: the simulated terminal is released.
			if _, w, h := r.scr.GetContents(); w != 0 || h != 0 {
				t.Errorf("screen still %dx%d after Run returned: not finalised", w, h)
			}
		})
	}
}

func TestInitErrorIsReturned(t *testing.T) {
	t.Parallel()
	scr := tcell.NewSimulationScreen("no-such-charset")
	err := Run(context.Background(), scr, newFakeMonitor(), nil)
	if err == nil || !strings.Contains(err.Error(), "terminal") {
		t.Fatalf("Run = %v, want the terminal's error", err)
	}
}

// TestFramesBounded floods the screen with updates and checks it draws
// at most ten frames a second (the bound only: fewer under load is fine).
func TestFramesBounded(t *testing.T) {
	t.Parallel()
	mon := newFakeMonitor(labSnapshot())
	r := start(t, 80, 24, mon, nil)
	r.waitText(" 1. 10.0.1.1")
	// Frames counted between the two reads are at least minFrame apart:
	// at most elapsed/minFrame + 1 of them.
	began := time.Now()
	_, before := r.scr.last()
	for time.Since(began) < 500*time.Millisecond {
		mon.set(labSnapshot())
		time.Sleep(time.Millisecond)
	}
	_, after := r.scr.last()
	elapsed := time.Since(began)
	if n, limit := after-before, int(elapsed/minFrame)+1; n > limit {
		t.Errorf("%d frames in %v, more than one per %v", n, elapsed, minFrame)
	}
	if after == before {
		t.Errorf("no frame drawn for 500 ms of updates")
	}
}
