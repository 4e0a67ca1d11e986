package exporter

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
)

// answer makes the fake engine answer each added target's probes (lost
// ones for 127.0.0.66) in a goroutine, as the engine would from its own.
func answer(m *fakeMonitor) {
	m.onAdd = func(p *fakeProbe) {
		lost := p.t.Addr.String() == "127.0.0.66"
		go func() {
			for range 3 {
				p.probes(1, 2*time.Millisecond, lost)
			}
		}()
	}
}

// TestProbe: /probe answers as blackbox_exporter's ICMP module, plus
// the count of requests, replies and the loss; bad requests are 400s
// with one line.
func TestProbe(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	h.mon.mu.Lock()
	answer(h.mon)
	h.mon.mu.Unlock()

	resp, err := h.client.Get(h.base + "/probe?target=127.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	fams := decodeFamilies(t, resp)
	resp.Body.Close()
	for name, want := range map[string]float64{
		"probe_success":              1,
		"probe_icmp_requests":        3,
		"probe_icmp_replies":         3,
		"probe_icmp_loss_ratio":      0,
		"probe_icmp_reply_hop_limit": 64,
		"probe_ip_protocol":          4,
	} {
		if got := value(find(fams, name, nil)); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := value(find(fams, "probe_icmp_duration_seconds", lbl("phase", "rtt"))); got != 0.002 {
		t.Errorf("rtt phase %v", got)
	}
	if fams["probe_duration_seconds"] == nil {
		t.Error("no probe_duration_seconds")
	}
	if h.mon.probe("127.0.0.9") != nil {
		t.Error("the probe's target stays in the engine")
	}

	resp, err = h.client.Get(h.base + "/probe?target=127.0.0.66&count=3")
	if err != nil {
		t.Fatal(err)
	}
	fams = decodeFamilies(t, resp)
	resp.Body.Close()
	if value(find(fams, "probe_success", nil)) != 0 || value(find(fams, "probe_icmp_loss_ratio", nil)) != 1 || find(fams, "probe_icmp_reply_hop_limit", nil) != nil {
		t.Errorf("lossy probe: %v", fams)
	}

	for query, want := range map[string]string{
		"":                           "target parameter is missing",
		"?target=":                   "target parameter is missing",
		"?target=10.0.0.0/24":        `bad target "10.0.0.0/24": one host, not a range`,
		"?target=10.0.0.300":         `bad host "10.0.0.300"`,
		"?target=a%20b":              `bad host "a b"`,
		"?target=127.0.0.1&count=0":  `bad count "0": want 1 to 20`,
		"?target=127.0.0.1&count=x":  `bad count "x"`,
		"?target=127.0.0.1&count=21": `bad count "21"`,
	} {
		code, body := h.get("/probe" + query)
		if code != 400 || !strings.HasPrefix(body, want) || strings.Count(body, "\n") != 1 {
			t.Errorf("/probe%s: %d %q, want 400 %q", query, code, body, want)
		}
	}
	req, _ := http.NewRequest("GET", h.base+"/probe?target=127.0.0.1&count=20", nil)
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "0.6")
	if resp, err := h.client.Do(req); err != nil || resp.StatusCode != 400 {
		t.Errorf("20 probes in a 0.6 s scrape: %v %v", resp.StatusCode, err)
	}
}

// TestLandingAndHealth: / lists the targets with their loss and RTT.
func TestLandingAndHealth(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	p := h.waitProbe("127.0.0.2")
	p.probes(3, 2*time.Millisecond, false)
	p.probes(1, 0, true)
	code, body := h.get("/")
	for _, want := range []string{"<td>127.0.0.2</td>", "25.0% of 4", "2ms", "site=&#34;fra1&#34;", "<td>127.0.0.3</td>"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("landing page (%d) lacks %q:\n%s", code, want, body)
		}
	}
	if code, body := h.get("/-/healthy"); code != 200 || body != "Healthy.\n" {
		t.Errorf("healthy %d %q", code, body)
	}
	if code, _ := h.get("/nothing"); code != 404 {
		t.Errorf("/nothing: %d", code)
	}
	if code, _ := h.get("/debug/pprof/heap"); code != 404 {
		t.Errorf("/debug/pprof/heap without --web.enable-pprof: %d", code)
	}
}

// TestPprof: --web.enable-pprof serves the runtime's profiles.
func TestPprof(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets, "--web.enable-pprof")
	if code, body := h.get("/debug/pprof/"); code != 200 || !strings.Contains(body, "heap") {
		t.Errorf("/debug/pprof/: %d %.200q", code, body)
	}
	if code, body := h.get("/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile:") {
		t.Errorf("/debug/pprof/goroutine: %d %.200q", code, body)
	}
}

// TestFileSDChanges: a changed file_sd file is read again without a
// reload; a bad one keeps the targets and says so in the metric.
func TestFileSDChanges(t *testing.T) {
	t.Parallel()
	h := startExporter(t, "file_sd_configs:\n  - files: [sd/*.yml]\n    refresh_interval: 100ms\n")
	os.Mkdir(filepath.Join(h.dir, "sd"), 0o755)
	h.write("sd/a.yml", "- targets: [127.0.0.7]\n  labels: {rack: r1}\n")
	p := h.waitProbe("127.0.0.7")
	p.probes(2, time.Millisecond, false)
	h.write("sd/a.yml", "- targets: [127.0.0.7]\n  labels: {rack: r1}\n- targets: [127.0.0.8]\n")
	h.waitProbe("127.0.0.8")
	if h.mon.probe("127.0.0.7") != p || value(find(h.scrape(false), "rawkit_ping_requests_total", lbl("target", "127.0.0.7", "rack", "r1"))) != 2 {
		t.Error("a file_sd change touched a target that stayed")
	}
	h.write("sd/a.yml", "- targets: [127.0.0.300]\n")
	eventually(t, func() string {
		if value(find(h.scrape(false), "rawkit_exporter_config_last_reload_successful", nil)) != 0 {
			return "a bad file_sd file did not set last_reload_successful to 0"
		}
		return ""
	})
	if h.mon.probe("127.0.0.8") == nil || !strings.Contains(h.stderr.String(), `a.yml:1: bad host "127.0.0.300"`) {
		t.Errorf("bad file_sd file: targets dropped or no message: %q", h.stderr.String())
	}
}

// TestStartErrors: a bad configuration, web configuration or listen
// address is one line and status 2, with no socket opened.
func TestStartErrors(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yml")
	os.WriteFile(good, []byte("targets:\n  - hosts: [127.0.0.1]\n"), 0o644)
	bad := filepath.Join(dir, "bad.yml")
	os.WriteFile(bad, []byte("targets:\n  - hosts: [127.0.0.1]\n    labels: {ip: x}\n"), 0o644)
	badWeb := filepath.Join(dir, "web.yml")
	os.WriteFile(badWeb, []byte("tls_server_config:\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--config.file is required"},
		{[]string{"--config.file", bad}, `bad.yml:3: bad label name "ip"`},
		{[]string{"--config.file", filepath.Join(dir, "none.yml")}, "none.yml: no such file"},
		{[]string{"--config.file", good, "--web.listen-address", busy.Addr().String()}, "--web.listen-address " + busy.Addr().String() + ": listen tcp"},
		{[]string{"--config.file", good, "--web.listen-address", "127.0.0.1:99999"}, "invalid port"},
		{[]string{"--config.file", good, "--web.config.file", filepath.Join(dir, "none-web.yml")}, "web config"},
		{[]string{"--config.file", good, "--web.config.file", badWeb}, "web config " + badWeb},
		{[]string{"--config.file", good, "extra"}, `unexpected operand "extra"`},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
	} {
		opened := false
		env := &Env{
			Listen: func(*echo.ListenConfig) (*echo.Socket, error) {
				opened = true
				return nil, os.ErrPermission
			},
			DropPrivileges: func() error { return nil },
			InterfaceAddrs: noInterfaces,
		}
		var stderr bytes.Buffer
		code := New(env).Run(context.Background(), &cli.Stdio{Out: &bytes.Buffer{}, Err: &stderr}, append(tc.args, "--web.listen-address=127.0.0.1:0")[:len(tc.args)+boolInt(!hasListen(tc.args))])
		msg := stderr.String()
		if code != 2 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "rawkit exporter: ") {
			t.Errorf("%v: status %d, stderr %q, want 2 and %q", tc.args, code, msg, tc.want)
		}
		if opened {
			t.Errorf("%v: a socket was opened", tc.args)
		}
	}
}

func hasListen(args []string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, "--web.listen-address") {
			return true
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestProbeConcurrency: at most maxConcurrentProbes /probe requests run
// at once; one more is a 503 at once, not a queue.
func TestProbeConcurrency(t *testing.T) {
	t.Parallel()
	h := startExporter(t, twoTargets)
	release := make(chan struct{})
	added := make(chan struct{}, maxConcurrentProbes)
	h.mon.mu.Lock()
	h.mon.onAdd = func(p *fakeProbe) {
		if p.t.Addr.String() == "127.0.0.9" {
			added <- struct{}{}
			<-release
			go p.probes(1, time.Millisecond, false)
		}
	}
	h.mon.mu.Unlock()
	done := make(chan int, maxConcurrentProbes)
	for range maxConcurrentProbes {
		go func() {
			resp, err := h.client.Get(h.base + "/probe?target=127.0.0.9&count=1")
			if err != nil {
				done <- -1
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	for range maxConcurrentProbes {
		<-added
	}
	if code, body := h.get("/probe?target=127.0.0.10"); code != 503 || strings.Count(body, "\n") != 1 {
		t.Errorf("one probe too many: %d %q", code, body)
	}
	close(release)
	for range maxConcurrentProbes {
		if code := <-done; code != 200 {
			t.Errorf("a probe within the bound answered %d", code)
		}
	}
}
