package exporter

import (
	"math"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

const twoTargets = `
targets:
  - hosts: [127.0.0.2]
    labels: {site: fra1}
  - hosts: [127.0.0.3]
rtt_buckets: [0.001, 0.01, 0.1]
`

// waitProbe waits until the engine has a live probe of addr.
func (h *harness) waitProbe(addr string) *fakeProbe {
	h.t.Helper()
	var p *fakeProbe
	eventually(h.t, func() string {
		if p = h.mon.probe(addr); p == nil {
			return "no probe of " + addr
		}
		return ""
	})
	return p
}

// TestMetrics: the events of the engine are the counters, the histogram
// (classic buckets in text, native ones in protobuf) and the TTL of each
// target, labelled target, ip and with the configuration's labels.
func TestMetrics(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	a := h.waitProbe("127.0.0.2")
	a.probes(3, 5*time.Millisecond, false)
	a.probes(2, 0, true)
	a.emit(echo.Event{Kind: echo.EventReply, Probe: 4, Late: true, RTT: 3 * time.Second})
	a.emit(echo.Event{Kind: echo.EventDuplicate, Probe: 1})
	a.emit(echo.Event{Kind: echo.EventError, Probe: 5, ICMP: icmp.Error{Type: icmp.TypeDestUnreach, Code: 1}})
	a.emit(echo.Event{Kind: echo.EventSendError, Probe: 6})
	b := h.waitProbe("127.0.0.3")
	b.probes(1, 50*time.Millisecond, false)

	for _, proto := range []bool{false, true} {
		fams := h.scrape(proto)
		la := lbl("target", "127.0.0.2", "ip", "127.0.0.2", "site", "fra1")
		for name, want := range map[string]float64{
			"rawkit_ping_requests_total":     5,
			"rawkit_ping_lost_total":         2,
			"rawkit_ping_late_replies_total": 1,
			"rawkit_ping_duplicates_total":   1,
			"rawkit_ping_send_errors_total":  1,
			"rawkit_ping_rtt_seconds":        3,
			"rawkit_ping_reply_ttl":          64,
		} {
			if got := value(find(fams, name, la)); got != want {
				t.Errorf("proto=%v %s%v = %v, want %v", proto, name, la, got, want)
			}
		}
		if got := value(find(fams, "rawkit_ping_icmp_errors_total", lbl("target", "127.0.0.2", "type", "destination-unreachable"))); got != 1 {
			t.Errorf("icmp errors %v", got)
		}
		if m := find(fams, "rawkit_ping_requests_total", lbl("target", "127.0.0.3")); value(m) != 1 || len(m.Label) != 2 {
			t.Errorf("second target %v", m)
		}
		hist := find(fams, "rawkit_ping_rtt_seconds", la).Histogram
		if math.Abs(hist.GetSampleSum()-0.015) > 1e-9 || len(hist.Bucket) < 3 || hist.Bucket[1].GetCumulativeCount() != 3 || hist.Bucket[0].GetCumulativeCount() != 0 {
			t.Errorf("proto=%v classic histogram %v", proto, hist)
		}
		if proto && (len(hist.PositiveSpan) == 0 || hist.GetSchema() == 0 && hist.GetZeroThreshold() == 0) {
			t.Errorf("no native buckets in protobuf: %v", hist)
		}
		if !proto && len(hist.PositiveSpan) != 0 {
			t.Errorf("native buckets in text")
		}
		for name, want := range map[string]float64{
			"rawkit_exporter_socket_drops_total":            7,
			"rawkit_exporter_scheduler_lag_seconds_total":   0.003,
			"rawkit_exporter_config_last_reload_successful": 1,
			"rawkit_exporter_build_info":                    1,
		} {
			if got := value(find(fams, name, nil)); got != want {
				t.Errorf("%s = %v, want %v", name, got, want)
			}
		}
		if got := value(find(fams, "rawkit_exporter_targets", lbl("state", "probed"))); got != 2 {
			t.Errorf("targets probed %v", got)
		}
		for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "rawkit_exporter_config_last_reload_success_timestamp_seconds"} {
			if fams[name] == nil {
				t.Errorf("no %s", name)
			}
		}
	}
	promtoolCheck(t, h)
}

// promtoolCheck lints a text scrape with `promtool check metrics`,
// where promtool is installed.
func promtoolCheck(t *testing.T, h *harness) {
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed: metrics not linted")
		return
	}
	_, text := h.get("/metrics")
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// counters returns the requests and rtt count of a target.
func counters(fams map[string]*dto.MetricFamily, target string) (req, rtt float64) {
	l := lbl("target", target)
	return value(find(fams, "rawkit_ping_requests_total", l)), value(find(fams, "rawkit_ping_rtt_seconds", l))
}

// TestReloadKeepsCounters: a target that stays keeps its series, counts
// on from where it was (even with new probe settings); a removed one's
// series go; a new one starts. By POST /-/reload and by SIGHUP.
func TestReloadKeepsCounters(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	h.waitProbe("127.0.0.2").probes(4, time.Millisecond, false)
	h.waitProbe("127.0.0.3").probes(2, time.Millisecond, false)
	if r, c := counters(h.scrape(false), "127.0.0.2"); r != 4 || c != 4 {
		t.Fatalf("before: %v %v", r, c)
	}
	h.write("config.yml", strings.Replace(strings.Replace(twoTargets, "127.0.0.3", "127.0.0.4", 1), "labels: {site: fra1}", "labels: {site: fra1}\n    interval: 2s", 1))
	if code, body := h.post("/-/reload"); code != 200 {
		t.Fatalf("reload: %d %s", code, body)
	}
	fams := h.scrape(false)
	if r, c := counters(fams, "127.0.0.2"); r != 4 || c != 4 {
		t.Errorf("after reload the staying target reads %v requests, %v replies; want 4, 4", r, c)
	}
	if m := find(fams, "rawkit_ping_requests_total", lbl("target", "127.0.0.3")); m != nil {
		t.Errorf("removed target still has series: %v", m)
	}
	if r, _ := counters(fams, "127.0.0.4"); r != 0 {
		t.Errorf("new target: %v requests", r)
	}
	p := h.waitProbe("127.0.0.2")
	if p.t.Interval != 2*time.Second {
		t.Errorf("staying target probed every %v, want the new 2s", p.t.Interval)
	}
	p.probes(1, time.Millisecond, false)
	if r, c := counters(h.scrape(false), "127.0.0.2"); r != 5 || c != 5 {
		t.Errorf("staying target after one more probe: %v %v, want 5, 5", r, c)
	}
	if h.mon.probe("127.0.0.3") != nil {
		t.Error("removed target still probed")
	}

	// SIGHUP: back to the first configuration.
	h.write("config.yml", twoTargets)
	h.hup <- syscall.SIGHUP
	eventually(t, func() string {
		if h.mon.probe("127.0.0.3") == nil || h.mon.probe("127.0.0.4") != nil {
			return "SIGHUP did not reload"
		}
		return ""
	})
	if r, c := counters(h.scrape(false), "127.0.0.2"); r != 5 || c != 5 {
		t.Errorf("after SIGHUP: %v %v, want 5, 5", r, c)
	}
}

// TestBadReload: a bad configuration leaves the running one, says why
// in one line, and sets the reload metric to 0 until a good one.
func TestBadReload(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	h.waitProbe("127.0.0.2").probes(2, time.Millisecond, false)
	h.write("config.yml", "targets:\n  - hosts: [127.0.0.9]\n    interval: 0s\n")
	code, body := h.post("/-/reload")
	if code != 500 || !strings.Contains(body, `config.yml:3: bad interval "0s"`) || strings.Count(body, "\n") != 1 {
		t.Errorf("bad reload answered %d %q", code, body)
	}
	fams := h.scrape(false)
	if v := value(find(fams, "rawkit_exporter_config_last_reload_successful", nil)); v != 0 {
		t.Errorf("last_reload_successful %v", v)
	}
	if r, _ := counters(fams, "127.0.0.2"); r != 2 || h.mon.probe("127.0.0.9") != nil {
		t.Errorf("the running configuration changed")
	}
	if !strings.Contains(h.stderr.String(), "the running configuration stays") {
		t.Errorf("stderr %q", h.stderr.String())
	}
	h.write("config.yml", twoTargets)
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	if v := value(find(h.scrape(false), "rawkit_exporter_config_last_reload_successful", nil)); v != 1 {
		t.Errorf("after a good reload: %v", v)
	}
	if code, _ := h.get("/-/reload"); code != 405 {
		t.Errorf("GET /-/reload: %d", code)
	}
}

// TestResolution: a name that fails to resolve keeps being probed at
// its last address and the failures are counted; one that never
// resolved is visible and stops nothing; a new address is a new series.
func TestResolution(t *testing.T) {
	t.Parallel()
	cfg := "targets:\n  - hosts: [db1.test, never.test]\n"
	h := startExporterNames(t, cfg, map[string]string{"db1.test": "127.0.0.5"})
	p := h.waitProbe("127.0.0.5")
	p.probes(2, time.Millisecond, false)
	fams := h.scrape(false)
	if value(find(fams, "rawkit_exporter_targets", lbl("state", "unresolved"))) != 1 || value(find(fams, "rawkit_exporter_resolution_failures_total", lbl("target", "never.test"))) != 1 {
		t.Errorf("the name that never resolved is not visible")
	}
	if value(find(fams, "rawkit_ping_requests_total", lbl("target", "db1.test", "ip", "127.0.0.5"))) != 2 {
		t.Errorf("db1.test not counted")
	}

	h.res.set("db1.test", "") // stops resolving; a reload looks names up again
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	fams = h.scrape(false)
	if h.mon.probe("127.0.0.5") != p || value(find(fams, "rawkit_exporter_resolution_failures_total", lbl("target", "db1.test"))) != 1 {
		t.Errorf("a failed lookup moved the target or was not counted")
	}

	h.res.set("db1.test", "127.0.0.6")
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	h.waitProbe("127.0.0.6").probes(1, time.Millisecond, false)
	fams = h.scrape(false)
	if h.mon.probe("127.0.0.5") != nil || find(fams, "rawkit_ping_requests_total", lbl("ip", "127.0.0.5")) != nil {
		t.Error("the old address is still probed or has series")
	}
	if value(find(fams, "rawkit_ping_requests_total", lbl("target", "db1.test", "ip", "127.0.0.6"))) != 1 ||
		value(find(fams, "rawkit_exporter_address_changes_total", lbl("target", "db1.test"))) != 1 {
		t.Error("the new address is not counted")
	}

	// Removed from the configuration, a name's own series go too.
	h.write("config.yml", "targets:\n  - hosts: [127.0.0.7]\n")
	if code, _ := h.post("/-/reload"); code != 200 {
		t.Fatal(code)
	}
	fams = h.scrape(false)
	if fams["rawkit_exporter_resolution_failures_total"] != nil || fams["rawkit_exporter_address_changes_total"] != nil {
		t.Error("removed names keep their resolution series")
	}
}

// TestResolveInterval: names are looked up again every resolve_interval
// without a reload.
func TestResolveInterval(t *testing.T) {
	t.Parallel()
	h := startExporterNames(t, "targets:\n  - hosts: [db2.test]\nresolve_interval: 1s\n", map[string]string{"db2.test": "127.0.0.5"})
	h.waitProbe("127.0.0.5")
	h.res.set("db2.test", "127.0.0.6")
	h.waitProbe("127.0.0.6")
	if h.mon.probe("127.0.0.5") != nil {
		t.Error("the old address is still probed")
	}
}
