//go:build linux && privileged

package exporter

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/probetest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestExporterPathChain: rawkit exporter with a paths: target across a
// 3-router chain, router 2 dropping every 2nd time exceeded it sends,
// the client's firewall refusing every 7th probe (send errors, counted
// apart; the monitor goes on).
// The scrape has hop series for TTL 1 to 4 and none beyond; each TTL's
// last responder (landing page) is the router there; each TTL's
// request count is what a capture saw leave the client toward the
// server with that TTL (a scrape before the capture stops and one after
// bracket it); TTL 2 alone shows loss, about half; promtool finds the
// scrape clean.
func TestExporterPathChain(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	ch := netlabtest.NewChain(t, 3)
	srv := ch.Server.Addr()
	netlabtest.Rule(t, ch.Routers[1], "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded",
		"-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "0", "-j", "DROP")
	// The client's own firewall refuses every 7th probe toward the
	// server: those sends fail (EPERM), are counted as send errors, and
	// the monitor goes on.
	netlabtest.Rule(t, ch.Client, "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "echo-request", "-d", srv.String(),
		"-m", "statistic", "--mode", "nth", "--every", "7", "--packet", "0", "-j", "DROP")
	cfgFile := filepath.Join(t.TempDir(), "exporter.yml")
	srv6 := ch.Server.Addr6()
	cfg := fmt.Sprintf("paths:\n  - hosts: [%s, %q]\n    method: icmp\n    interval: 100ms\n    timeout: 500ms\n    max_ttl: 10\n    labels: {site: lab}\n", srv, srv6)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	sn := netlabtest.Sniff(t, ch.Client, "eth0", "icmp")
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
	base := "http://" + listen
	scrapeAt(t, c, base)
	time.Sleep(1500 * time.Millisecond)
	t0 := time.Now()
	before := scrapeAt(t, c, base)
	t1 := time.Now()
	pkts := sn.Stop()
	after := scrapeAt(t, c, base)
	seen := probetest.Captured(pkts)
	// What had left well before the first scrape began was counted by
	// it; it counted nothing that had not left by its end. (The margin
	// is for the moment between a send and its count.)
	var sentBy, sentUntil []netlab.Packet
	for _, p := range pkts {
		if p.Timestamp.Before(t0.Add(-20 * time.Millisecond)) {
			sentBy = append(sentBy, p)
		}
		if !p.Timestamp.After(t1) {
			sentUntil = append(sentUntil, p)
		}
	}
	early, late := probetest.Captured(sentBy), probetest.Captured(sentUntil)
	if !strings.Contains(stderr.String(), "path targets on raw sockets") {
		t.Errorf("stderr does not say the path targets' sockets: %q", stderr.String())
	}

	ttls := hopTTLs(before, "rawkit_path_hop_requests_total", srv.String())
	if strings.Join(ttls, ",") != "1,2,3,4" {
		t.Errorf("hop series for ttl %v, want 1 to 4", ttls)
	}
	hopOf := func(fams map[string]*dto.MetricFamily, name string, ttl int) float64 {
		return value(find(fams, name, lbl("target", srv.String(), "ip", srv.String(), "method", "icmp", "site", "lab", "ttl", fmt.Sprint(ttl))))
	}
	for ttl := 1; ttl <= 4; ttl++ {
		req := func(x probetest.ICMP) bool { return x.Type == 8 && x.Dst == srv && x.TTL == ttl }
		wire := probetest.Count(seen, req)
		lo, hi := hopOf(before, "rawkit_path_hop_requests_total", ttl), hopOf(after, "rawkit_path_hop_requests_total", ttl)
		if e, l := probetest.Count(early, req), probetest.Count(late, req); lo < float64(e) || lo > float64(l) {
			t.Errorf("ttl %d: the first scrape counted %v requests; the capture saw %d leave before it and %d by its end", ttl, lo, e, l)
		} else {
			t.Logf("ttl %d: the first scrape counted %v requests; the capture saw %d leave before it and %d by its end", ttl, lo, e, l)
		}
		lost := hopOf(after, "rawkit_path_hop_lost_total", ttl)
		answered := float64(find(after, "rawkit_path_hop_rtt_seconds", lbl("target", srv.String(), "ttl", fmt.Sprint(ttl))).GetHistogram().GetSampleCount())
		t.Logf("ttl %d: %d requests on the wire, counted %v..%v; %v answered, %v lost", ttl, wire, lo, hi, answered, lost)
		if lo < 8 || float64(wire) < lo || float64(wire) > hi {
			t.Errorf("ttl %d: the capture saw %d requests, the scrapes around it counted %v and %v", ttl, wire, lo, hi)
		}
		if answered+lost > hi {
			t.Errorf("ttl %d: %v answered and %v lost of %v requests", ttl, answered, lost, hi)
		}
		if ttl == 2 {
			// Every 2nd answer dropped: half the settled probes lost,
			// give or take the one in flight.
			te := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 11 && x.Src == ch.RouterAddr(1) })
			if settled := answered + lost; lost < settled/2-1 || lost > settled/2+1 || float64(te) > answered+1 {
				t.Errorf("ttl 2: %v lost of %v settled (%d time exceeded on the wire), want half", lost, settled, te)
			}
		} else if lost != 0 {
			t.Errorf("ttl %d: %v lost, want none", ttl, lost)
		}
	}
	var wireAll float64
	for ttl := 1; ttl <= 4; ttl++ {
		wireAll += hopOf(after, "rawkit_path_hop_requests_total", ttl)
	}
	// The first round also sent TTLs beyond the server's before its
	// answer came; they have no series left, but the capture saw them.
	beyond := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 8 && x.Dst == srv && x.TTL > 4 })
	sendErrs := value(find(after, "rawkit_path_send_errors_total", lbl("target", srv.String())))
	attempts := wireAll + float64(beyond) + sendErrs
	t.Logf("%v sends refused by the firewall; %v probes left (%d beyond the server)", sendErrs, attempts-sendErrs, beyond)
	if want := attempts / 7; sendErrs < want-1 || sendErrs > want+1 {
		t.Errorf("%v send errors of %v attempts, want every 7th", sendErrs, attempts)
	}
	if n := value(find(after, "rawkit_path_hops", lbl("target", srv.String()))); n != 4 {
		t.Errorf("rawkit_path_hops %v, want 4", n)
	}
	// (rawkit_path_reached is 0 after a round whose probe to the server
	// the firewall refused: TestExporterPathAsNobody checks it.)
	if n := value(find(after, "rawkit_path_changes_total", lbl("target", srv.String()))); n != 0 {
		t.Errorf("rawkit_path_changes_total %v on a fixed chain, want 0", n)
	}

	// The landing page names each TTL's last responder.
	resp, err := c.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// One row per path target; IPv6 (the chain's other family) too.
	rows := strings.Split(string(page), "<tr>")
	for _, fam := range []struct {
		dst string
		hop func(int) netip.Addr
	}{{srv.String(), ch.Hop}, {srv6.String(), ch.Hop6}} {
		row := ""
		for _, r := range rows {
			if strings.HasPrefix(r, "<td>"+fam.dst+"</td>") {
				row = r
			}
		}
		for ttl := 1; ttl <= 4; ttl++ {
			re := regexp.MustCompile(fmt.Sprintf(`(>|· )%d (\S+) `, ttl))
			m := re.FindStringSubmatch(row)
			if m == nil || m[2] != fam.hop(ttl).String() {
				t.Errorf("%s ttl %d: landing page responder %v, want %v (row %q)", fam.dst, ttl, m, fam.hop(ttl), row)
			}
		}
	}
	if ttls := hopTTLs(after, "rawkit_path_hop_requests_total", srv6.String()); strings.Join(ttls, ",") != "1,2,3,4" {
		t.Errorf("IPv6 path target: hop series for ttl %v, want 1 to 4", ttls)
	}
	if n := value(find(after, "rawkit_path_hops", lbl("target", srv6.String()))); n != 4 {
		t.Errorf("IPv6 path target: rawkit_path_hops %v, want 4", n)
	}

	promtool := netlabtest.NeedTool(t, "promtool")
	resp, err = c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(string(text))
	if out, err := check.CombinedOutput(); err != nil || len(out) != 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestExporterPathAsNobody: as user nobody, with only
// net.ipv4.ping_group_range open, ICMP and UDP path targets across a
// 3-router chain run on ping and UDP sockets (stderr says so) and show
// the same hops as with raw sockets: series for TTL 1 to 4, each TTL's
// router as its responder. The ICMP requests counted per TTL left the
// client, as a capture there saw them.
func TestExporterPathAsNobody(t *testing.T) {
	if netlabtest.AsNobody() {
		dst := os.Getenv("EXPORTER_TARGET")
		hops := strings.Split(os.Getenv("EXPORTER_HOPS"), ",")
		dir := t.TempDir()
		cfgFile := filepath.Join(dir, "config.yml")
		cfg := fmt.Sprintf("paths:\n  - hosts: [%[1]s]\n    method: icmp\n    interval: 100ms\n    timeout: 500ms\n    max_ttl: 8\n  - hosts: [%[1]s]\n    method: udp\n    interval: 100ms\n    timeout: 500ms\n    max_ttl: 8\n", dst)
		if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		base, stderr, stop := runInProcess(t, cfgFile)
		c := nsClient(nil)
		time.Sleep(1500 * time.Millisecond)
		fams := scrapeAt(t, c, base)
		resp, err := c.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if code := stop(); code != 0 {
			t.Errorf("exit %d", code)
		}
		if !strings.Contains(stderr.String(), "path targets on ping and UDP sockets (no CAP_NET_RAW)") {
			t.Errorf("stderr %q", stderr.String())
		}
		for _, m := range []string{"icmp", "udp"} {
			var ttls []string
			for _, mf := range fams["rawkit_path_hop_requests_total"].GetMetric() {
				l := map[string]string{}
				for _, p := range mf.GetLabel() {
					l[p.GetName()] = p.GetValue()
				}
				if l["method"] == m {
					ttls = append(ttls, l["ttl"])
					if m == "icmp" {
						fmt.Printf("COUNTED ttl=%s requests=%v\n", l["ttl"], mf.GetCounter().GetValue())
					}
				}
			}
			if strings.Join(ttls, ",") != "1,2,3,4" {
				t.Errorf("%s: hop series for ttl %v, want 1 to 4", m, ttls)
			}
			if n := value(find(fams, "rawkit_path_reached", lbl("target", dst, "method", m))); n != 1 {
				t.Errorf("%s: rawkit_path_reached %v, want 1", m, n)
			}
			if n := value(find(fams, "rawkit_path_hops", lbl("target", dst, "method", m))); n != 4 {
				t.Errorf("%s: rawkit_path_hops %v, want 4", m, n)
			}
			row := regexp.MustCompile(`<td>` + m + `</td>.*`).FindString(string(page))
			for i, h := range hops {
				if !strings.Contains(row, fmt.Sprintf("%d %s ", i+1, h)) {
					t.Errorf("%s: ttl %d's responder is not %s: %s", m, i+1, h, row)
				}
			}
		}
		return
	}
	netlabtest.Privileged(t)
	ch := netlabtest.NewChain(t, 3)
	if err := ch.Client.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	var hops []string
	for ttl := 1; ttl <= 4; ttl++ {
		hops = append(hops, ch.Hop(ttl).String())
	}
	srv := ch.Server.Addr()
	sn := netlabtest.Sniff(t, ch.Client, "eth0", "icmp")
	out, err := netlabtest.RunAsNobody(t, ch.Client, "TestExporterPathAsNobody",
		"EXPORTER_TARGET="+srv.String(), "EXPORTER_HOPS="+strings.Join(hops, ","))
	seen := probetest.Captured(sn.Stop())
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	counted := regexp.MustCompile(`COUNTED ttl=(\d+) requests=(\d+)`).FindAllStringSubmatch(string(out), -1)
	if len(counted) != 4 {
		t.Fatalf("counts from the child: %q\n%s", counted, out)
	}
	for _, m := range counted {
		var ttl, n int
		fmt.Sscan(m[1], &ttl)
		fmt.Sscan(m[2], &n)
		wire := probetest.Count(seen, func(x probetest.ICMP) bool { return x.Type == 8 && x.Dst == srv && x.TTL == ttl })
		// The scrape came before the exporter stopped: the capture saw
		// what it counted, and at most the rounds of the moment between.
		t.Logf("ttl %d: counted %d requests as nobody, the capture saw %d", ttl, n, wire)
		if n < 8 || wire < n || wire > n+3 {
			t.Errorf("ttl %d: counted %d requests as nobody, the capture saw %d", ttl, n, wire)
		}
	}
}
