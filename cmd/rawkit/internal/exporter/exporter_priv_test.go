//go:build linux && privileged

package exporter

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// nsClient is an HTTP client whose connections start in h's namespace,
// where the exporter listens.
func nsClient(h *netlab.Host) *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := h.Do(func() (err error) {
			c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
	if h == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
}

// scrapeAt returns the families of url's /metrics once the exporter is
// ready there, waiting up to 10 s for it.
func scrapeAt(t *testing.T, c *http.Client, base string) map[string]*dto.MetricFamily {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := c.Get(base + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(end) {
			t.Fatalf("exporter at %s not ready: %v", base, err)
		}
	}
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return decodeFamilies(t, resp)
}

// writeConfig writes a configuration probing dst every 100 ms into a
// directory anyone can read (the sudo and setcap launches run as nobody).
func writeConfig(t *testing.T, dst string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rk-exporter-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	file := filepath.Join(dir, "config.yml")
	cfg := fmt.Sprintf("targets:\n  - hosts: [%s]\n    interval: 100ms\n    timeout: 1s\n    labels: {site: lab}\n", dst)
	if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestExporterDropsPrivileges: rawkit exporter started as root, under
// sudo and through setcap probes a host of a netlab pair with no
// capability left (CapEff 0, no_new_privs, the invoking user's uid); the
// requests and replies it counts crossed the wire, as a capture on the
// other host sees them. With a bad SUDO_UID it sends nothing.
func TestExporterDropsPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	dst := p.B.Addr()
	cfg := writeConfig(t, dst.String())
	start := func(c *exec.Cmd) error { return p.A.Do(c.Start) }
	client := nsClient(p.A)
	const base = "http://127.0.0.1:10042"
	launches := clitest.Launches(t)
	for _, l := range launches {
		t.Run(l.Name, func(t *testing.T) {
			sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
			var req, rtt float64
			code, _, errs := clitest.CheckDrops(t, l, start, func(proc *os.Process, _ func()) {
				time.Sleep(time.Second)
				fams := scrapeAt(t, client, base)
				l := lbl("target", dst.String(), "ip", dst.String(), "site", "lab")
				req = value(find(fams, "rawkit_ping_requests_total", l))
				rtt = value(find(fams, "rawkit_ping_rtt_seconds", l))
				proc.Signal(os.Interrupt)
			}, "exporter", "--config.file", cfg, "--web.listen-address", "127.0.0.1:10042")
			seen := probetest.Captured(sn.Stop())
			if code != 0 || !strings.HasPrefix(errs, "rawkit exporter: raw ICMP sockets (CAP_NET_RAW)") {
				t.Errorf("status %d, stderr %q", code, errs)
			}
			sent := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 8 && x.Dst == dst })
			answered := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 0 && x.Src == dst })
			t.Logf("counted %v requests and %v replies; the capture saw %d requests and %d replies", req, rtt, sent, answered)
			// The scrape came before the interrupt: the capture saw at
			// least what was counted, and the rest went out in the
			// moment between.
			if req < 5 || rtt < 5 || float64(sent) < req || float64(answered) < rtt || float64(sent) > req+10 {
				t.Errorf("counted %v requests and %v replies; the capture saw %d requests and %d replies", req, rtt, sent, answered)
			}
		})
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	clitest.CheckFailsClosed(t, launches[0], start, "exporter", "--config.file", cfg, "--web.listen-address", "127.0.0.1:10042")
	if pkts := sn.Stop(); len(pkts) != 0 {
		t.Errorf("with a bad SUDO_UID, %d ICMP packets reached the target, want none", len(pkts))
	}
}

// runInProcess runs the exporter in this process with the real
// sockets and cfgFile, listening on a free loopback port, and returns
// its base URL once it serves, its stderr, and a stop that ends it and
// returns its exit status. The scheduler's Ps are left as the test has
// them.
func runInProcess(t *testing.T, cfgFile string) (base string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ready := make(chan net.Addr, 1)
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- New(&Env{Ready: func(a net.Addr) { ready <- a }, SetProcs: func(float64) {}}).Run(ctx, &cli.Stdio{Out: &bytes.Buffer{}, Err: stderr},
			[]string{"--config.file", cfgFile, "--web.listen-address", "127.0.0.1:0"})
	}()
	select {
	case a := <-ready:
		return "http://" + a.String(), stderr, func() int { cancel(); return <-done }
	case code := <-done:
		cancel()
		t.Fatalf("exit %d: %s", code, stderr.String())
		return "", nil, nil
	}
}

// TestExporterAsNobody: as user nobody, with net.ipv4.ping_group_range
// open, the exporter probes over ping sockets and says so.
func TestExporterAsNobody(t *testing.T) {
	if netlabtest.AsNobody() {
		dst := os.Getenv("EXPORTER_TARGET")
		cfg := writeConfig(t, dst)
		base, stderr, stop := runInProcess(t, cfg)
		time.Sleep(time.Second)
		fams := scrapeAt(t, nsClient(nil), base)
		if code := stop(); code != 0 {
			t.Errorf("exit %d", code)
		}
		req := value(find(fams, "rawkit_ping_requests_total", lbl("target", dst)))
		rtt := value(find(fams, "rawkit_ping_rtt_seconds", lbl("target", dst)))
		t.Logf("COUNTED=%v,%v", req, rtt)
		if !strings.HasPrefix(stderr.String(), "rawkit exporter: ping sockets (net.ipv4.ping_group_range)") || req < 5 || rtt < 5 {
			t.Errorf("stderr %q; %v requests, %v replies", stderr.String(), req, rtt)
		}
		return
	}
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	if err := p.A.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	out, err := netlabtest.RunAsNobody(t, p.A, "TestExporterAsNobody", "EXPORTER_TARGET="+p.B.Addr().String())
	seen := probetest.Captured(sn.Stop())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if n := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 0 && x.Src == p.B.Addr() }); n < 5 {
		t.Errorf("the capture saw %d replies; output:\n%s", n, out)
	}
}
