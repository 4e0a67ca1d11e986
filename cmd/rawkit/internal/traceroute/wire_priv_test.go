//go:build linux && privileged

package traceroute

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestTracerouteAndPingKeepTheirReplies runs an ICMP traceroute and a
// rawkit ping from one host at once: neither takes the other's answers.
func TestTracerouteAndPingKeepTheirReplies(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server := c.Server.Addr().String()
	ping := rawkitProc(ctx, c.Client, "ping", "-n", "-c", "100", "-i", "0.01", server)
	pout := &signalWriter{mark: []byte(" bytes from "), seen: make(chan struct{})}
	ping.Stdout, ping.Stderr = pout, pout
	if err := ping.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ping.Wait() }()
	select {
	case <-pout.seen: // ping has replies coming: trace while it runs
	case err := <-done:
		t.Fatalf("ping ended early: %v\n%s", err, pout.String())
	}
	traces := 0
	var perr error
loop:
	for traces < 40 {
		for _, m := range []string{"-I", "-U"} {
			out, code := traceInProc(t, c.Client, "-n", m, "-w", "1", server)
			traces++
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 4 {
				t.Errorf("traceroute %s: exit %d, %d hops:\n%s", m, code, len(hops), out)
			}
			for i, h := range hops {
				for _, f := range h.from {
					if f != c.Hop(i+1).String() {
						t.Errorf("traceroute %s hop %d answered by %q:\n%s", m, i+1, f, out)
					}
				}
			}
		}
		select {
		case perr = <-done:
			break loop
		default:
		}
	}
	if traces == 40 {
		perr = <-done
	}
	if perr != nil {
		t.Fatalf("ping: %v\n%s", perr, pout.String())
	}
	t.Logf("%d traces ran while ping ran", traces)
	p := pout.String()
	if !strings.Contains(p, "100 packets transmitted, 100 received, 0% packet loss") {
		t.Errorf("ping lost replies or counted others':\n%s", p)
	}
	if strings.Contains(p, "Time to live exceeded") || strings.Contains(p, "Unreachable") || strings.Contains(p, "DUP!") {
		t.Errorf("ping reported the traceroute's answers:\n%s", p)
	}
}

// signalWriter collects output and closes seen when mark first appears.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	mark []byte
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(b)
	if bytes.Contains(w.buf.Bytes(), w.mark) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(b), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestTracerouteNamesAndJC resolves the routers' names from the client's
// own hosts file (ip-netns(8) binds /etc/netns/NS/hosts over /etc/hosts)
// and checks rawkit's text against Linux traceroute's, and jc's parse of
// both (jc --traceroute), round trips aside.
func TestTracerouteNamesAndJC(t *testing.T) {
	netlabtest.Privileged(t)
	if _, err := exec.LookPath("jc"); err != nil {
		t.Fatalf("jc not installed (scripts/test-privileged.sh installs it): %v", err)
	}
	c := netlabtest.NewChain(t, 3)
	dir := "/etc/netns/" + c.Client.Name
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	hosts := "127.0.0.1 localhost\n"
	for i := range c.Routers {
		hosts += c.RouterAddr(i).String() + " r" + strconv.Itoa(i+1) + ".lab.test\n"
	}
	hosts += c.Server.Addr().String() + " server.lab.test\n"
	if err := os.WriteFile(dir+"/hosts", []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rtt := regexp.MustCompile(`\d+\.\d{3} ms`)
	jcRTT := regexp.MustCompile(`"rtt":[0-9.]+`)
	for _, args := range [][]string{{c.Server.Addr().String()}, {"-n", "-q", "2", c.Server.Addr().String()}} {
		want, err := c.Client.Run(ctx, "traceroute", args...)
		if err != nil {
			t.Fatalf("traceroute %v: %v", args, err)
		}
		got, code := clitest.ProcRun(t, rawkitProc(ctx, c.Client, append([]string{"traceroute"}, args...)...))
		if code != 0 || rtt.ReplaceAllString(string(want), "X ms") != rtt.ReplaceAllString(got, "X ms") {
			t.Errorf("traceroute %v: exit %d\nLinux traceroute:\n%s\nrawkit:\n%s", args, code, want, got)
		}
		if len(args) == 1 && !strings.Contains(got, "r2.lab.test (10.0.2.2)") {
			t.Errorf("no names:\n%s", got)
		}
		jc := func(text string) string {
			cmd := exec.CommandContext(ctx, "jc", "--traceroute")
			cmd.Stdin = strings.NewReader(text)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("jc: %v", err)
			}
			return jcRTT.ReplaceAllString(string(out), `"rtt":0`)
		}
		if jw, jg := jc(string(want)), jc(got); jw != jg {
			t.Errorf("jc --traceroute differs:\ntraceroute: %s\nrawkit:     %s", jw, jg)
		}
	}
}

// TestTracerouteTCPOpenPort traces to a listening port: the server's
// SYN-ACK ends the trace, the client's kernel resets it, and no
// connection is ever accepted.
func TestTracerouteTCPOpenPort(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	var ln *net.TCPListener
	if err := c.Server.Do(func() (err error) {
		ln, err = net.ListenTCP("tcp4", &net.TCPAddr{Port: 8080})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := netlabtest.Sniff(t, c.Client, "eth0", "tcp port 8080")
	out, code := traceInProc(t, c.Client, "-n", "-T", "-p", "8080", "-w", "2", c.Server.Addr().String())
	pkts := s.Stop()
	if hops := parseTrace(t, out); code != 0 || len(hops) != 3 || hops[2].from[0] != c.Server.Addr().String() {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var synack, rst int
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 40 {
			continue
		}
		switch flags := b[20+13]; {
		case flags&0x12 == 0x12:
			synack++
		case flags&0x04 != 0 && netip.AddrFrom4([4]byte(b[12:16])) == c.Client.Addr():
			rst++
		}
	}
	// The probes of TTL 3, and those of later TTLs that went out before
	// its answer came back, reach the server; the client's kernel resets
	// each SYN-ACK.
	if synack < 3 || rst < synack {
		t.Errorf("capture: %d SYN-ACKs and %d resets from the client, want at least 3 and one per SYN-ACK", synack, rst)
	}
	ln.SetDeadline(time.Now().Add(100 * time.Millisecond))
	if conn, err := ln.Accept(); err == nil {
		conn.Close()
		t.Error("the server accepted a connection")
	}
}

// TestTracerouteJSONQuotedFields checks --json against the wire: the
// probes carry the TOS and DF asked for, and each router quotes the TOS
// back with the TTL the probe reached it with (1).
func TestTracerouteJSONQuotedFields(t *testing.T) {
	netlabtest.Privileged(t)
	c := netlabtest.NewChain(t, 2)
	s := netlabtest.Sniff(t, c.Client, "eth0", "udp and dst host "+c.Server.Addr().String())
	out, code := traceInProc(t, c.Client, "-n", "--json", "-t", "16", "-F", "-q", "1", "-m", "5", c.Server.Addr().String())
	pkts := s.Stop()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 3 hops and a summary:\n%s", len(lines), out)
	}
	for i, l := range lines[:3] {
		var h traceJSONHop
		if err := json.Unmarshal([]byte(l), &h); err != nil {
			t.Fatal(err)
		}
		p := h.Probes[0]
		if h.TTL != i+1 || p.From != c.Hop(i+1).String() || p.QuotedTOS == nil || *p.QuotedTOS != 16 ||
			p.QuotedTTL == nil || *p.QuotedTTL != 1 || p.RTTMs == nil || (i == 2) != p.Reached {
			t.Errorf("hop %d: %s", i+1, l)
		}
	}
	if !strings.Contains(lines[3], `"type":"summary"`) || !strings.Contains(lines[3], `"reached":true`) {
		t.Errorf("summary: %s", lines[3])
	}
	// TTLs 1 to 3, and 4 and 5 unless the server's answer came before
	// they went out.
	if len(pkts) < 3 || len(pkts) > 5 {
		t.Errorf("capture: %d probes, want those of TTL 1 to 3, 4 or 5", len(pkts))
	}
	for i, p := range pkts {
		b := p.Network()
		if b[1] != 16 || binary.BigEndian.Uint16(b[6:])&0x4000 == 0 || int(b[8]) != i+1 {
			t.Errorf("probe %d: TOS %d flags %#x TTL %d, want 16, DF and TTL %d", i, b[1], binary.BigEndian.Uint16(b[6:]), b[8], i+1)
		}
	}
}
