//go:build linux && privileged

package main

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

	"github.com/rawkit/rawkit/internal/netlab"
)

// The test binary doubles as the rawkit binary: with this variable set it
// runs the command line it was given and exits.
const traceAsMainEnv = "RAWKIT_TRACE_AS_MAIN"

func init() {
	if os.Getenv(traceAsMainEnv) != "1" {
		return
	}
	os.Exit(run(context.Background(), append([]string{"rawkit"}, os.Args[1:]...),
		&stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
}

// traceCmd returns `rawkit ARGS` run inside h's namespace.
func traceCmd(ctx context.Context, h *netlab.Host, args ...string) *exec.Cmd {
	cmd := h.Command(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), traceAsMainEnv+"=1")
	return cmd
}

// traceRun runs cmd and returns its stdout and exit status.
func traceRun(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	if errb.Len() > 0 {
		t.Logf("%v stderr: %s", cmd.Args, errb.String())
	}
	return out.String(), code
}

// traceInProc runs `rawkit ARGS` in this process, from inside h's
// namespace: the sockets are opened there. Privileges are kept.
func traceInProc(t *testing.T, h *netlab.Host, args ...string) (string, int) {
	t.Helper()
	saved := dropPrivileges
	dropPrivileges = func() error { return nil }
	defer func() { dropPrivileges = saved }()
	var out, errb bytes.Buffer
	code := -1
	err := h.Do(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		code = run(ctx, append([]string{"rawkit"}, args...), &stdio{in: strings.NewReader(""), out: &out, err: &errb})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if errb.Len() > 0 {
		t.Logf("%v stderr: %s", args, errb.String())
	}
	return out.String(), code
}

// traceLine is a hop line read back from traceroute's text: per probe
// the responder ("" for *) and the annotation.
type traceLine struct {
	ttl   int
	from  []string
	notes []string
}

var traceRTT = regexp.MustCompile(`^\d+\.\d{3}$`)

// parseTrace reads hop lines as traceroute prints them with -n.
func parseTrace(t *testing.T, out string) []traceLine {
	t.Helper()
	var hops []traceLine
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "traceroute to ") {
			continue
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		ttl, err := strconv.Atoi(f[0])
		if err != nil {
			t.Fatalf("not a hop line: %q", l)
		}
		h := traceLine{ttl: ttl}
		cur := ""
		for i := 1; i < len(f); i++ {
			switch w := f[i]; {
			case w == "*":
				h.from, h.notes = append(h.from, ""), append(h.notes, "")
			case traceRTT.MatchString(w):
				h.from, h.notes = append(h.from, cur), append(h.notes, "")
				i++ // "ms"
			case strings.HasPrefix(w, "!") || strings.HasPrefix(w, "F="):
				h.notes[len(h.notes)-1] += w
			case strings.HasPrefix(w, "<"):
			default:
				cur = w
			}
		}
		hops = append(hops, h)
	}
	return hops
}

func TestTracerouteChainMethods(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 8)
	server := c.Server.Addr()
	for _, m := range []struct{ name, flag, filter string }{
		{"udp", "-U", "udp"}, {"icmp", "-I", "icmp[0] == 8"}, {"tcp", "-T", "tcp[13] == 2"},
	} {
		t.Run(m.name, func(t *testing.T) {
			s := c.Client.Sniff(t, "eth0", "dst host "+server.String()+" and "+m.filter)
			out, code := traceInProc(t, c.Client, "traceroute", "-n", m.flag, "-w", "2", server.String())
			probes := s.Stop()
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 9 {
				t.Fatalf("exit %d, %d hops, want 0 and 9:\n%s", code, len(hops), out)
			}
			for i, h := range hops {
				want := c.Hop(i + 1).String()
				if h.ttl != i+1 || len(h.from) != 3 {
					t.Fatalf("hop %d: %+v", i+1, h)
				}
				for _, f := range h.from {
					if f != want {
						t.Errorf("hop %d answered by %q, want %s:\n%s", i+1, f, want, out)
					}
				}
			}
			checkParisProbes(t, probes, m.name)
		})
	}
}

// checkParisProbes checks on the capture that the probes of one trace
// all have the same flow fields (addresses, ports, ICMP checksum), that
// the TTLs start at 1, and that every TTL has 3 probes.
func checkParisProbes(t *testing.T, pkts []netlab.Packet, method string) {
	t.Helper()
	ttls := map[int]int{}
	flows := map[string]bool{}
	for _, p := range pkts {
		b := p.Network()
		if len(b) < 28 {
			continue
		}
		ttls[int(b[8])]++
		l4 := b[int(b[0]&15)*4:]
		switch method {
		case "icmp":
			flows[string(l4[0:4])] = true // type, code, checksum
		default:
			flows[string(l4[0:4])] = true // ports
		}
	}
	if len(flows) != 1 {
		t.Errorf("%s probes had %d distinct flow fields on the wire, want 1", method, len(flows))
	}
	for ttl := 1; ttl <= 9; ttl++ {
		if ttls[ttl] != 3 {
			t.Errorf("capture: %d probes with TTL %d, want 3", ttls[ttl], ttl)
		}
	}
}

// TestTracerouteMatchesLinuxTraceroute runs Linux traceroute and rawkit
// on the same chain and compares the text, round trips aside.
func TestTracerouteMatchesLinuxTraceroute(t *testing.T) {
	netlab.Privileged(t)
	if _, err := exec.LookPath("traceroute"); err != nil {
		t.Fatalf("traceroute not installed (scripts/test-privileged.sh installs it): %v", err)
	}
	c := netlab.NewChain(t, 3)
	c.Routers[0].Rule(t, "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-j", "DROP")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rtt := regexp.MustCompile(`\d+\.\d{3} ms`)
	for _, args := range [][]string{
		{"-n", c.Server.Addr().String()},
		{"-n", "-I", "-q", "2", c.Server.Addr().String()},
		{"-n", "-T", "-m", "6", c.Server.Addr().String()},
		{"-n", "-q", "1", c.Unreachable().String()},
		{"-n", "-f", "2", c.Server.Addr().String(), "100"},
	} {
		want, err := c.Client.Run(ctx, "traceroute", args...)
		if err != nil {
			t.Fatalf("traceroute %v: %v", args, err)
		}
		got, _ := traceRun(t, traceCmd(ctx, c.Client, append([]string{"traceroute"}, args...)...))
		w, g := rtt.ReplaceAllString(string(want), "X ms"), rtt.ReplaceAllString(got, "X ms")
		if w != g {
			t.Errorf("traceroute %v:\nLinux traceroute:\n%s\nrawkit:\n%s", args, want, got)
		}
	}
}

func TestTracerouteECMPParisVersusClassic(t *testing.T) {
	netlab.Privileged(t)
	d := netlab.NewDiamond(t)
	server := d.Server.Addr().String()
	branches := map[string]bool{d.Branches[0].Addr().String(): true, d.Branches[1].Addr().String(): true}
	mixedTraces := func(classic bool) (mixed int, used map[string]bool) {
		used = map[string]bool{}
		for range 20 {
			args := []string{"traceroute", "-n", "-w", "1", server}
			if classic {
				args = append(args, "--classic")
			}
			out, code := traceInProc(t, d.Client, args...)
			hops := parseTrace(t, out)
			if code != 0 || len(hops) != 4 {
				t.Fatalf("exit %d, %d hops, want 0 and 4:\n%s", code, len(hops), out)
			}
			seen := map[string]bool{}
			for _, f := range hops[1].from {
				if !branches[f] {
					t.Fatalf("hop 2 answered by %q, not a branch router:\n%s", f, out)
				}
				seen[f], used[f] = true, true
			}
			if len(seen) > 1 {
				mixed++
			}
		}
		return mixed, used
	}
	if mixed, used := mixedTraces(false); mixed != 0 {
		t.Errorf("Paris mode: %d of 20 traces mixed the branches at hop 2 (branches used: %v)", mixed, used)
	} else {
		t.Logf("Paris mode: every trace kept one branch; branches used over 20 traces: %v", used)
	}
	mixed, _ := mixedTraces(true)
	if mixed == 0 {
		t.Errorf("classic mode: no trace of 20 mixed the branches at hop 2; the diamond does not balance")
	}
	t.Logf("classic mode: %d of 20 traces mixed the branches at hop 2", mixed)
}

func TestTracerouteSilentRouter(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 4)
	c.Routers[1].Rule(t, "filter", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-j", "DROP")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	out, code := traceRun(t, traceCmd(ctx, c.Client, "traceroute", "-n", c.Server.Addr().String()))
	hops := parseTrace(t, out)
	if code != 0 || len(hops) != 5 {
		t.Fatalf("exit %d, %d hops, want 0 and 5:\n%s", code, len(hops), out)
	}
	for i, h := range hops {
		for _, f := range h.from {
			want := c.Hop(i + 1).String()
			if i == 1 {
				want = ""
			}
			if f != want {
				t.Errorf("hop %d: %q, want %q:\n%s", i+1, f, want, out)
			}
		}
	}
	if !strings.Contains(out, "\n 2  * * *\n") {
		t.Errorf("no silent hop line:\n%s", out)
	}
	t.Logf("with a silent hop the trace took %v", time.Since(start))
}

func TestTracerouteMTU(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Link 2 joins router 2 and router 3: router 2 cannot forward more
	// than 1280 bytes, so hop 3 is the first reached at 1280.
	if err := c.Links[2].SetMTU(ctx, 1280); err != nil {
		t.Fatal(err)
	}
	s := c.Client.Sniff(t, "eth0", "icmp[0] == 3 and icmp[1] == 4")
	out, code := traceRun(t, traceCmd(ctx, c.Client, "traceroute", "-n", "--mtu", c.Server.Addr().String()))
	frag := s.Stop()
	hops := parseTrace(t, out)
	if code != 0 || len(hops) != 5 {
		t.Fatalf("exit %d, %d hops, want 0 and 5:\n%s", code, len(hops), out)
	}
	if hops[0].notes[0] != "F=1500" || hops[2].notes[0] != "F=1280" {
		t.Errorf("want F=1500 at hop 1 and F=1280 at hop 3:\n%s", out)
	}
	for i, h := range hops {
		if h.from[0] != c.Hop(i+1).String() {
			t.Errorf("hop %d from %q:\n%s", i+1, h.from[0], out)
		}
	}
	// The oracle: router 2 told the client the next-hop MTU was 1280.
	ok := false
	for _, p := range frag {
		b := p.Network()
		if len(b) >= 28 && netip.AddrFrom4([4]byte(b[12:16])) == c.RouterAddr(1) &&
			binary.BigEndian.Uint16(b[20+6:]) == 1280 {
			ok = true
		}
	}
	if !ok {
		t.Errorf("capture: no fragmentation needed with MTU 1280 from %v (%d seen)", c.RouterAddr(1), len(frag))
	}
}

// TestTracerouteAndPingKeepTheirReplies runs an ICMP traceroute and a
// rawkit ping from one host at once: neither takes the other's answers.
func TestTracerouteAndPingKeepTheirReplies(t *testing.T) {
	netlab.Privileged(t)
	c := netlab.NewChain(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server := c.Server.Addr().String()
	ping := traceCmd(ctx, c.Client, "ping", "-n", "-c", "100", "-i", "0.01", server)
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
			out, code := traceInProc(t, c.Client, "traceroute", "-n", m, "-w", "1", server)
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
	netlab.Privileged(t)
	if _, err := exec.LookPath("jc"); err != nil {
		t.Fatalf("jc not installed (scripts/test-privileged.sh installs it): %v", err)
	}
	c := netlab.NewChain(t, 3)
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
		got, code := traceRun(t, traceCmd(ctx, c.Client, append([]string{"traceroute"}, args...)...))
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
	netlab.Privileged(t)
	c := netlab.NewChain(t, 2)
	var ln *net.TCPListener
	if err := c.Server.Do(func() (err error) {
		ln, err = net.ListenTCP("tcp4", &net.TCPAddr{Port: 8080})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := c.Client.Sniff(t, "eth0", "tcp port 8080")
	out, code := traceInProc(t, c.Client, "traceroute", "-n", "-T", "-p", "8080", "-w", "2", c.Server.Addr().String())
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
	// Every probe from TTL 3 on reaches the server (all TTLs go out at
	// once); the client's kernel resets each SYN-ACK.
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
	netlab.Privileged(t)
	c := netlab.NewChain(t, 2)
	s := c.Client.Sniff(t, "eth0", "udp and dst host "+c.Server.Addr().String())
	out, code := traceInProc(t, c.Client, "traceroute", "-n", "--json", "-t", "16", "-F", "-q", "1", "-m", "5", c.Server.Addr().String())
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
	if len(pkts) != 5 {
		t.Errorf("capture: %d probes, want 5 (TTL 1 to 5)", len(pkts))
	}
	for _, p := range pkts {
		b := p.Network()
		if b[1] != 16 || binary.BigEndian.Uint16(b[6:])&0x4000 == 0 {
			t.Errorf("probe TOS %d flags %#x, want 16 and DF", b[1], binary.BigEndian.Uint16(b[6:]))
		}
	}
}
