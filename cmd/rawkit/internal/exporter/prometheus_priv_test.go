//go:build linux && privileged

package exporter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// promQuery asks the Prometheus at base for expr at the present time and
// returns each result's labels and value.
func promQuery(t *testing.T, c *http.Client, base, expr string) []promSample {
	t.Helper()
	resp, err := c.Get(base + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		t.Fatalf("query %s: %v", expr, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string
		Error  string
		Data   struct {
			Result []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %v %s: %s", expr, err, r.Error, body)
	}
	out := make([]promSample, 0, len(r.Data.Result))
	for _, s := range r.Data.Result {
		v, err := strconv.ParseFloat(fmt.Sprint(s.Value[1]), 64)
		if err != nil {
			t.Fatalf("query %s: value %v: %v", expr, s.Value[1], err)
		}
		out = append(out, promSample{s.Metric, v})
	}
	return out
}

type promSample struct {
	Labels map[string]string
	Value  float64
}

// promScalar is promQuery's one result; the test fails without exactly one.
func promScalar(t *testing.T, c *http.Client, base, expr string) float64 {
	t.Helper()
	r := promQuery(t, c, base, expr)
	if len(r) != 1 {
		t.Fatalf("query %s: %d results, want 1: %v", expr, len(r), r)
	}
	return r[0].Value
}

// startPrometheus runs Prometheus in h's namespace, scraping the exporter
// at target every second with native histograms on, and returns its base
// URL once it answers.
func startPrometheus(t *testing.T, ctx context.Context, h *netlab.Host, c *http.Client, target string) string {
	t.Helper()
	bin := netlabtest.NeedTool(t, "prometheus")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf(`global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: rawkit
    static_configs: [{targets: [%q]}]
`, target)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	const listen = "127.0.0.1:19090"
	cmd := h.Command(ctx, bin, "--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+listen, "--enable-feature=native-histograms")
	log, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("prometheus log:\n%s", b)
		}
	})
	base := "http://" + listen
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := c.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		if time.Now().After(end) {
			t.Fatalf("prometheus not ready: %v", err)
		}
	}
}

// TestPrometheusEndToEnd runs the exporter and a real Prometheus in the
// client namespace of a one-router chain: the router loses a fifth of
// the echo requests addressed to it (iptables statistic), the server is
// 20 ms away (a delay on the router), and 380 loopback addresses make up
// the rest. Everything is asserted through Prometheus' query API: up;
// series for every target; the router's loss ratio from rate() against
// the loss a capture saw on the wire; the server's median RTT from
// histogram_quantile on native buckets against the delay; and no counter
// reset on the targets a reload keeps, while the ones it drops go stale.
func TestPrometheusEndToEnd(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	promtool := netlabtest.NeedTool(t, "promtool")
	ch := netlabtest.NewChain(t, 1)
	r1, srv := ch.Routers[0], ch.Server.Addr()
	lossy := r1.Addr()
	netlabtest.Rule(t, r1, "filter", "INPUT", "-p", "icmp", "--icmp-type", "echo-request",
		"-m", "statistic", "--mode", "random", "--probability", "0.2", "-j", "DROP")
	const delay = 20 * time.Millisecond
	netlabtest.Delay(t, r1, "eth1", delay)

	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "exporter.yml")
	writeCfg := func(loop string) {
		cfg := fmt.Sprintf(`targets:
  - hosts: [%s]
    interval: 50ms
    timeout: 1s
    labels: {role: lossy}
  - hosts: [%s]
    interval: 100ms
    timeout: 1s
    labels: {role: delayed}
  - hosts: [127.0.1.0/24, %s]
    interval: 1s
    timeout: 1s
    labels: {role: loopback}
paths:
  - hosts: [%[2]s]
    interval: 200ms
    timeout: 1s
    max_ttl: 8
    labels: {role: path}
`, lossy, srv, loop)
		if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeCfg("127.0.2.0/25") // 254 + 126 loopback addresses
	sn := netlabtest.Sniff(t, ch.Client, "eth0", "icmp and host "+lossy.String())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const listen = "127.0.0.1:10042"
	exp := ch.Client.Command(ctx, bin, "exporter", "--config.file", cfgFile, "--web.listen-address", listen)
	var stderr syncBuffer
	exp.Stderr = &stderr
	if err := exp.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		exp.Process.Signal(os.Interrupt)
		exp.Wait()
		if t.Failed() {
			t.Logf("exporter stderr:\n%s", stderr.String())
		}
	}()
	c := nsClient(ch.Client)
	scrapeAt(t, c, "http://"+listen) // waits until it is ready
	prom := startPrometheus(t, ctx, ch.Client, c, listen)

	time.Sleep(30 * time.Second)
	// The loss the wire saw, and Prometheus' over the same stretch.
	seen := probetest.Captured(sn.Stop())
	sent := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 8 && x.Dst == lossy })
	answered := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 0 && x.Src == lossy })
	wire := 1 - float64(answered)/float64(sent)
	sel := fmt.Sprintf(`{ip=%q}`, lossy)
	ratio := promScalar(t, c, prom, fmt.Sprintf(
		`sum(rate(rawkit_ping_lost_total%[1]s[1m])) / (sum(rate(rawkit_ping_lost_total%[1]s[1m])) + sum(histogram_count(rate(rawkit_ping_rtt_seconds%[1]s[1m]))))`, sel))
	t.Logf("loss of %s: %.4f from Prometheus, %.4f on the wire (%d requests, %d replies)", lossy, ratio, wire, sent, answered)
	if sent < 400 || ratio < wire-0.03 || ratio > wire+0.03 {
		t.Errorf("loss ratio %.4f from Prometheus, %.4f on the wire (%d requests): want within 3 points", ratio, wire, sent)
	}

	if up := promScalar(t, c, prom, `up{job="rawkit"}`); up != 1 {
		t.Errorf("up = %v", up)
	}
	if n := promScalar(t, c, prom, `count(rawkit_ping_requests_total)`); n != 2+254+126 {
		t.Errorf("%v targets have series, want %d", n, 2+254+126)
	}
	// The path target: one hop series per TTL up to the server's (2),
	// and the median of its native buckets at TTL 2 near the delay.
	if n := promScalar(t, c, prom, fmt.Sprintf(`count(rawkit_path_hop_requests_total{ip=%q})`, srv)); n != 2 {
		t.Errorf("%v hop series of the path target, want 2", n)
	}
	pmedian := promScalar(t, c, prom, fmt.Sprintf(`histogram_quantile(0.5, rate(rawkit_path_hop_rtt_seconds{ip=%q,ttl="2"}[1m]))`, srv))
	t.Logf("median RTT of the path's TTL 2: %.3f ms (delay %v)", pmedian*1e3, delay)
	if d := pmedian - delay.Seconds(); d < -0.1*delay.Seconds() || d > 0.1*delay.Seconds() {
		t.Errorf("path TTL 2 median RTT %.3f ms, want within 10%% of %v", pmedian*1e3, delay)
	}
	median := promScalar(t, c, prom, fmt.Sprintf(`histogram_quantile(0.5, rate(rawkit_ping_rtt_seconds{ip=%q}[1m]))`, srv))
	t.Logf("median RTT to %s: %.3f ms (delay %v)", srv, median*1e3, delay)
	if d := median - delay.Seconds(); d < -0.1*delay.Seconds() || d > 0.1*delay.Seconds() {
		t.Errorf("median RTT %.3f ms, want within 10%% of %v", median*1e3, delay)
	}

	// The scrape is clean for promtool.
	resp, err := c.Get("http://" + listen + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(string(page))
	if out, err := check.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}

	// Reload: 127.0.2.0/25 goes, 127.0.3.0/25 comes, the rest stays.
	writeCfg("127.0.3.0/25")
	resp, err = c.Post("http://"+listen+"/-/reload", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /-/reload: %s", resp.Status)
	}
	time.Sleep(8 * time.Second)
	if ok := promScalar(t, c, prom, `rawkit_exporter_config_last_reload_successful`); ok != 1 {
		t.Errorf("rawkit_exporter_config_last_reload_successful = %v after a good reload", ok)
	}
	if r := promScalar(t, c, prom, `sum(resets(rawkit_ping_requests_total{ip!~"127[.]0[.]2[.].*"}[5m])) + sum(resets(rawkit_ping_lost_total[5m]))`); r != 0 {
		t.Errorf("%v counter resets on the targets the reload kept", r)
	}
	if r := promScalar(t, c, prom, `sum(resets(rawkit_path_hop_requests_total[5m])) + sum(resets(rawkit_path_rounds_total[5m]))`); r != 0 {
		t.Errorf("%v counter resets of the path target across the reload", r)
	}
	if r := promQuery(t, c, prom, `rawkit_ping_requests_total{ip=~"127[.]0[.]2[.].*"}`); len(r) != 0 {
		t.Errorf("%d series of removed targets are still there", len(r))
	}
	if n := promScalar(t, c, prom, `count(rawkit_ping_requests_total{ip=~"127[.]0[.]3[.].*"} > 0)`); n != 126 {
		t.Errorf("%v of the 126 added targets are probed", n)
	}
}
