package exporter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/icmp/trace"

	dto "github.com/prometheus/client_model/go"
)

const onePath = `paths:
  - hosts: [10.0.0.9]
    max_ttl: 8
    labels: {site: fra1}
`

// startPaths starts the exporter with the fake path engine.
func startPaths(t *testing.T, config string) (*harness, *fakePaths) {
	t.Helper()
	fp := &fakePaths{}
	h := startWith(t, config, startOpts{env: fp.env})
	return h, fp
}

func hopValue(t *testing.T, fams map[string]*dto.MetricFamily, name, target, ttl string) float64 {
	t.Helper()
	m := find(fams, name, lbl("target", target, "ttl", ttl))
	if m == nil {
		t.Fatalf("no %s{target=%q, ttl=%q}", name, target, ttl)
	}
	return value(m)
}

// hopTTLs lists the ttl labels of name for target.
func hopTTLs(fams map[string]*dto.MetricFamily, name, target string) []string {
	var out []string
	for _, m := range fams[name].GetMetric() {
		l := map[string]string{}
		for _, p := range m.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		if l["target"] == target {
			out = append(out, l["ttl"])
		}
	}
	return out
}

// TestPathMetrics: rounds played through the path monitor's callbacks
// become per-TTL series up to the destination's TTL, a path-change
// count, hops and reached; the scrape passes promtool.
func TestPathMetrics(t *testing.T) {
	t.Parallel()
	// An echo target too: promtool checks both kinds of series.
	h, fp := startPaths(t, onePath+"targets:\n  - hosts: [127.0.0.1]\n    labels: {site: fra1}\n")
	h.waitProbe("127.0.0.1").probes(3, time.Millisecond, false)
	p := fp.monitor(t, "10.0.0.9")
	if p.unpriv {
		t.Error("a path target of the start was opened after the privilege drop")
	}
	r1, r2, r3, r3b, dst := "10.0.1.1", "10.0.2.1", "10.0.3.1", "10.0.3.2", "10.0.0.9"
	// Round 1 sends every TTL up to max_ttl before the destination is
	// known; it answers at TTL 4 and beyond.
	p.round(1, hop{r1, false}, hop{r2, false}, hop{r3, false}, hop{dst, true}, hop{dst, true}, hop{dst, true}, hop{}, hop{})
	p.round(2, hop{r1, false}, hop{}, hop{r3, false}, hop{dst, true})
	fams := h.scrape(false)
	if got := strings.Join(hopTTLs(fams, "rawkit_path_hop_requests_total", dst), ","); got != "1,2,3,4" {
		t.Errorf("hop series for ttl %s, want 1,2,3,4", got)
	}
	for ttl, want := range map[string]float64{"1": 0, "2": 1, "3": 0, "4": 0} {
		if got := hopValue(t, fams, "rawkit_path_hop_requests_total", dst, ttl); got != 2 {
			t.Errorf("ttl %s: %v requests, want 2", ttl, got)
		}
		if got := hopValue(t, fams, "rawkit_path_hop_lost_total", dst, ttl); got != want {
			t.Errorf("ttl %s: %v lost, want %v", ttl, got, want)
		}
		if got := hopValue(t, fams, "rawkit_path_hop_responders", dst, ttl); got != 1 {
			t.Errorf("ttl %s: %v responders, want 1", ttl, got)
		}
	}
	m := find(fams, "rawkit_path_hop_rtt_seconds", lbl("target", dst, "ttl", "3", "site", "fra1", "ip", dst, "method", "icmp"))
	if m == nil || m.GetHistogram().GetSampleCount() != 2 || m.GetHistogram().GetSampleSum() != 0.006 {
		t.Errorf("ttl 3 rtt histogram: %v", m)
	}
	for name, want := range map[string]float64{"rawkit_path_hops": 4, "rawkit_path_reached": 1, "rawkit_path_rounds_total": 2, "rawkit_path_changes_total": 0} {
		if got := value(find(fams, name, lbl("target", dst))); got != want {
			t.Errorf("%s %v, want %v", name, got, want)
		}
	}
	// Another router at TTL 3: a change; back: another; a lost
	// destination is none; a destination one hop nearer is one.
	p.round(3, hop{r1, false}, hop{r2, false}, hop{r3b, false}, hop{dst, true})
	p.round(4, hop{r1, false}, hop{r2, false}, hop{r3, false}, hop{dst, true})
	p.round(5, hop{r1, false}, hop{r2, false}, hop{r3, false}, hop{})
	fams = h.scrape(false)
	if got := value(find(fams, "rawkit_path_changes_total", lbl("target", dst))); got != 2 {
		t.Errorf("%v path changes after a router swap and back, want 2", got)
	}
	if got := value(find(fams, "rawkit_path_reached", lbl("target", dst))); got != 0 {
		t.Errorf("reached %v after a round the destination did not answer", got)
	}
	if got := hopValue(t, fams, "rawkit_path_hop_responders", dst, "3"); got != 2 {
		t.Errorf("ttl 3: %v responders within the window, want 2", got)
	}
	p.round(6, hop{r1, false}, hop{r2, false}, hop{dst, true})
	fams = h.scrape(false)
	if got := value(find(fams, "rawkit_path_changes_total", lbl("target", dst))); got != 3 {
		t.Errorf("%v path changes after the path shortened, want 3", got)
	}
	if got := strings.Join(hopTTLs(fams, "rawkit_path_hop_requests_total", dst), ","); got != "1,2,3" {
		t.Errorf("hop series for ttl %s after the path shortened, want 1,2,3", got)
	}
	if got := value(find(fams, "rawkit_path_hops", lbl("target", dst))); got != 3 {
		t.Errorf("hops %v, want 3", got)
	}
	if got := value(find(fams, "rawkit_exporter_path_targets", lbl("state", "probed"))); got != 1 {
		t.Errorf("%v path targets probed, want 1", got)
	}
	promtoolCheck(t, h)
	if _, page := h.get("/"); !strings.Contains(page, "10.0.0.9") || !strings.Contains(page, "icmp") {
		t.Errorf("landing page lacks the path target:\n%s", page)
	}
}

// TestPathReloadKeepsCounters: a reload keeps the path targets that
// stay (same monitor, counters on), starts new ones (after the drop:
// on ping sockets) and stops removed ones; a TCP one added then cannot
// be opened without CAP_NET_RAW and is reported, the rest goes on.
func TestPathReloadKeepsCounters(t *testing.T) {
	t.Parallel()
	h, fp := startPaths(t, onePath)
	a := fp.monitor(t, "10.0.0.9")
	a.round(1, hop{"10.0.1.1", false}, hop{"10.0.0.9", true})
	a.round(2, hop{"10.0.1.1", false}, hop{"10.0.0.9", true})
	h.write("config.yml", onePath+`  - hosts: [10.0.0.10]
    method: udp
    port: 4000
  - hosts: [10.0.0.11]
    method: tcp
`)
	if code, body := h.post("/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	b := fp.monitor(t, "10.0.0.10")
	if !b.unpriv || b.cfg.Method.String() != "udp" || b.cfg.Port != 4000 {
		t.Errorf("added path target: unprivileged %v, method %v, port %d", b.unpriv, b.cfg.Method, b.cfg.Port)
	}
	// Every probe waits its whole timeout (no NEAR rule: a router slow
	// to answer is not loss).
	if b.cfg.Wait != 2*time.Second || b.cfg.NearFactor >= 0 || b.cfg.Flows != 1 || b.cfg.MaxTTL != trace.DefaultMaxTTL {
		t.Errorf("added path target's monitor: %+v", b.cfg)
	}
	if a.isClosed() || fp.monitor(t, "10.0.0.9") != a {
		t.Error("the staying path target's monitor was reopened")
	}
	a.round(3, hop{"10.0.1.1", false}, hop{"10.0.0.9", true})
	b.round(1, hop{"10.0.0.10", true})
	fams := h.scrape(false)
	if got := hopValue(t, fams, "rawkit_path_hop_requests_total", "10.0.0.9", "1"); got != 3 {
		t.Errorf("staying target: %v requests at ttl 1 after a reload, want 3", got)
	}
	if got := value(find(fams, "rawkit_path_rounds_total", lbl("target", "10.0.0.10", "method", "udp"))); got != 1 {
		t.Errorf("added target: %v rounds", got)
	}
	if got := value(find(fams, "rawkit_exporter_path_targets", lbl("state", "failed"))); got != 1 {
		t.Errorf("%v path targets failed, want 1 (the tcp one)", got)
	}
	eventually(t, func() string {
		if !strings.Contains(h.stderr.String(), `path target "10.0.0.11" (10.0.0.11) not monitored: tcp probes need CAP_NET_RAW`) {
			return "no line on stderr for the tcp target: " + h.stderr.String()
		}
		return ""
	})
	// A new interval: the monitor is opened again (after the drop: on
	// ping sockets), the counters go on.
	h.write("config.yml", strings.Replace(onePath, "max_ttl: 8", "max_ttl: 8\n    interval: 2s", 1)+"  - hosts: [10.0.0.10]\n    method: udp\n    port: 4000\n")
	if code, body := h.post("/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	a2 := fp.monitor(t, "10.0.0.9")
	if !a.isClosed() || a2 == a || !a2.unpriv || a2.cfg.Interval != 2*time.Second {
		t.Errorf("after a new interval: old monitor closed %v, new one unprivileged %v, interval %v", a.isClosed(), a2.unpriv, a2.cfg.Interval)
	}
	a2.round(1, hop{"10.0.1.1", false}, hop{"10.0.0.9", true})
	fams = h.scrape(false)
	if got := hopValue(t, fams, "rawkit_path_hop_requests_total", "10.0.0.9", "1"); got != 4 {
		t.Errorf("after a new interval: %v requests at ttl 1, want 4", got)
	}
	if got := value(find(fams, "rawkit_path_rounds_total", lbl("target", "10.0.0.9"))); got != 4 {
		t.Errorf("after a new interval: %v rounds, want 4", got)
	}
	a = a2
	h.write("config.yml", "paths:\n  - hosts: [10.0.0.10]\n    method: udp\n    port: 4000\n")
	if code, body := h.post("/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	if !a.isClosed() {
		t.Error("the removed path target's monitor is still open")
	}
	fams = h.scrape(false)
	if find(fams, "rawkit_path_rounds_total", lbl("target", "10.0.0.9")) != nil {
		t.Error("the removed path target's series are still served")
	}
	if got := value(find(fams, "rawkit_path_rounds_total", lbl("target", "10.0.0.10"))); got != 1 {
		t.Errorf("kept target: %v rounds after the second reload", got)
	}
}

// TestPathResolution: a path target's name is looked up before the
// privilege drop and its monitor opened then; a failed lookup keeps the
// last good address (and monitor); a new address ends the old series
// and monitor and starts new ones under the new ip; a never-resolved
// name is counted unresolved.
func TestPathResolution(t *testing.T) {
	t.Parallel()
	fp := &fakePaths{}
	h := startWith(t, "paths:\n  - hosts: [db1.test, never.test]\n    method: udp\n",
		startOpts{names: map[string]string{"db1.test": "127.0.0.5"}, env: fp.env})
	a := fp.monitor(t, "127.0.0.5")
	if a.unpriv {
		t.Error("the resolved path target was opened after the drop")
	}
	a.round(1, hop{"127.0.0.5", true})
	fams := h.scrape(false)
	if value(find(fams, "rawkit_exporter_path_targets", lbl("state", "unresolved"))) != 1 ||
		value(find(fams, "rawkit_exporter_resolution_failures_total", lbl("target", "never.test"))) != 1 {
		t.Error("the path name that never resolved is not visible")
	}
	h.res.set("db1.test", "")
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	if a.isClosed() {
		t.Error("a failed lookup stopped the path target")
	}
	h.res.set("db1.test", "127.0.0.6")
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	b := fp.monitor(t, "127.0.0.6")
	b.round(1, hop{"127.0.0.6", true})
	fams = h.scrape(false)
	if !a.isClosed() || find(fams, "rawkit_path_rounds_total", lbl("ip", "127.0.0.5")) != nil {
		t.Error("the old address is still monitored or has series")
	}
	if value(find(fams, "rawkit_path_rounds_total", lbl("target", "db1.test", "ip", "127.0.0.6"))) != 1 ||
		value(find(fams, "rawkit_exporter_address_changes_total", lbl("target", "db1.test"))) != 1 {
		t.Error("the new address is not counted")
	}
}

// TestPathTCPNeedsRaw: a tcp path target without CAP_NET_RAW at the
// start is one line naming the file, line and target, status 2.
func TestPathTCPNeedsRaw(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yml")
	os.WriteFile(file, []byte("paths:\n  - method: tcp\n    hosts:\n      - 10.0.0.9\n"), 0o644)
	env := &Env{
		Listen: func(cfg *echo.ListenConfig) (*echo.Socket, error) {
			return &echo.Socket{Conn: icmptest.NewConn(nil, nil), Mode: echo.ModePing, IPv6: cfg.IPv6}, nil
		},
		NewPathMonitor: func(netip.Addr, *trace.MonitorConfig) (PathMonitor, error) {
			return nil, fmt.Errorf("raw socket: %w", os.ErrPermission)
		},
		DropPrivileges: func() error { return nil },
		InterfaceAddrs: noInterfaces,
		SetProcs:       func(float64) {},
	}
	var stderr bytes.Buffer
	code := New(env).Run(context.Background(), &cli.Stdio{Out: &bytes.Buffer{}, Err: &stderr},
		[]string{"--config.file", file, "--web.listen-address", "127.0.0.1:0"})
	want := file + `:4: path target "10.0.0.9": tcp probes need CAP_NET_RAW`
	if msg := stderr.String(); code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, want) {
		t.Errorf("status %d, stderr %q, want 2 and %q", code, msg, want)
	}
}

// TestPathSendErrors: a probe whose send failed is counted apart and
// is neither a request nor lost; the monitor goes on.
func TestPathSendErrors(t *testing.T) {
	t.Parallel()
	h, fp := startPaths(t, onePath)
	p := fp.monitor(t, "10.0.0.9")
	if p.cfg.SendError == nil {
		t.Fatal("the path monitor would stop at its first failed send")
	}
	p.steps <- func() {
		for ttl := 1; ttl <= 2; ttl++ {
			p.cfg.SendError(trace.MonitorProbe{Round: 1, TTL: ttl}, errors.New("sendmmsg: network is unreachable"))
		}
		p.cfg.Round(1, time.Now())
	}
	p.round(2, hop{"10.0.1.1", false}, hop{"10.0.0.9", true})
	fams := h.scrape(false)
	if got := value(find(fams, "rawkit_path_send_errors_total", lbl("target", "10.0.0.9"))); got != 2 {
		t.Errorf("%v send errors, want 2", got)
	}
	for _, ttl := range []string{"1", "2"} {
		if r, l := hopValue(t, fams, "rawkit_path_hop_requests_total", "10.0.0.9", ttl), hopValue(t, fams, "rawkit_path_hop_lost_total", "10.0.0.9", ttl); r != 1 || l != 0 {
			t.Errorf("ttl %s: %v requests, %v lost; want 1 and 0", ttl, r, l)
		}
	}
	if got := value(find(fams, "rawkit_path_rounds_total", lbl("target", "10.0.0.9"))); got != 2 {
		t.Errorf("%v rounds, want 2", got)
	}
}
