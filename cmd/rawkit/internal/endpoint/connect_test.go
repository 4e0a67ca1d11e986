package endpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	rendpoint "github.com/rawkit/rawkit/endpoint"
)

// target starts an endpoint server for the client tests.
func target(t *testing.T, network, addr string, cfg *rendpoint.Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := rendpoint.Listen(ctx, network, addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return s.Addr().String()
}

// runIn runs rawkit connect with args and in as its standard input.
func runIn(t *testing.T, in string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := NewConnect(noDrop()).Run(context.Background(), &cli.Stdio{In: strings.NewReader(in), Out: &out, Err: &errb}, args)
	return code, out.String(), errb.String()
}

func TestConnectBadInput(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"tcp", "127.0.0.1:0"}, "port 0"},
		{[]string{"tcp", "127.0.0.1:70000"}, `"70000"`},
		{[]string{"tcp", "localhost"}, `"localhost"`},
		{[]string{"quic", "127.0.0.1:7"}, `"quic"`},
		{[]string{"tcp", closed}, "connection refused"},
		{[]string{"tcp", closed, "--echo-test", "10"}, "connection refused"},
		{[]string{"unix", "/no/such/dir/s.sock"}, `"/no/such/dir"`},
		{[]string{"tcp", "127.0.0.1:7", "--size", "64"}, "--size goes with --echo-test"},
		{[]string{"tcp", "127.0.0.1:7", "--echo-test", "10", "--size", "big"}, `"big"`},
		{[]string{"tcp", "127.0.0.1:7", "--echo-test", "10", "--size", "100-10"}, `"100-10"`},
		{[]string{"tcp", "127.0.0.1:7", "--echo-test", "0"}, "--echo-test 0"},
		{[]string{"tcp", "127.0.0.1:7", "--echo-test", "5", "--concurrency", "0"}, "--concurrency 0"},
		{[]string{"udp", "127.0.0.1:7", "--echo-test", "5", "--size", "70000"}, "65507"},
		{[]string{"udp", "127.0.0.1:7", "--echo-test", "5", "--size", "4", "--window", "2"}, "window"},
		{[]string{"tcp", "127.0.0.1:7", "--read-timeout", "-1s"}, "-1s"},
	}
	for _, c := range cases {
		code, out, errOut := runIn(t, "", c.args...)
		if code != cli.ExitError || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line with %q", c.args, code, errOut, c.want)
		}
		if out != "" {
			t.Errorf("%q: stdout %q", c.args, out)
		}
	}
}

func TestConnectRelay(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "e.sock")
	for _, tc := range []struct{ network, addr string }{
		{"tcp", target(t, "tcp", "127.0.0.1:0", nil)},
		{"unix", target(t, "unix", sock, nil)},
		{"udp", target(t, "udp", "127.0.0.1:0", nil)},
	} {
		in := "hello\nworld\n"
		code, out, errOut := runIn(t, in, tc.network, tc.addr, "--read-timeout", "300ms")
		if code != cli.ExitOK || out != in || errOut != "" {
			t.Errorf("%s: exit %d, out %q, err %q", tc.network, code, out, errOut)
		}
	}
	// A daytime server answers and closes: the client prints and ends.
	day := target(t, "tcp", "127.0.0.1:0", &rendpoint.Config{Mode: rendpoint.Daytime})
	if code, out, _ := runIn(t, "", "tcp", day); code != cli.ExitOK || !strings.HasSuffix(out, "\r\n") {
		t.Errorf("daytime: exit %d, out %q", code, out)
	}
	// A discard server never answers: the read timeout ends it, status 1.
	dis := target(t, "udp", "127.0.0.1:0", &rendpoint.Config{Mode: rendpoint.Discard})
	start := time.Now()
	code, out, errOut := runIn(t, "x", "udp", dis, "--read-timeout", "200ms")
	if code != cli.ExitOK || out != "" || time.Since(start) < 190*time.Millisecond {
		t.Errorf("discard: exit %d, out %q, err %q after %v", code, out, errOut, time.Since(start))
	}
}

func TestConnectIdleServerTimesOut(t *testing.T) {
	t.Parallel()
	// A TCP server that accepts and says nothing, with input still open:
	// the read timeout ends the client with status 1.
	addr := target(t, "tcp", "127.0.0.1:0", &rendpoint.Config{Mode: rendpoint.Discard})
	r, w := net.Pipe()
	defer w.Close()
	var out, errb bytes.Buffer
	code := NewConnect(noDrop()).Run(context.Background(), &cli.Stdio{In: r, Out: &out, Err: &errb}, []string{"tcp", addr, "--read-timeout", "200ms"})
	if code != cli.ExitNoReply || !strings.Contains(errb.String(), "nothing received for 200ms") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

func TestConnectEchoTest(t *testing.T) {
	t.Parallel()
	for _, network := range []string{"tcp", "udp"} {
		addr := target(t, network, "127.0.0.1:0", nil)
		code, out, errOut := runIn(t, "", network, addr, "--echo-test", "500",
			"--size", "1-1400", "--concurrency", "4", "--window", "1", "--json")
		var rep map[string]any
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != cli.ExitOK {
			t.Fatalf("%s: exit %d, %v, out %q, err %q", network, code, err, out, errOut)
		}
		if rep["round_trips"] != 2000.0 || rep["mismatches"] != 0.0 || rep["ok"] != true {
			t.Errorf("%s: report %v", network, rep)
		}
		code, out, _ = runIn(t, "", network, addr, "--echo-test", "200", "--concurrency", "2")
		if code != cli.ExitOK || !strings.Contains(out, "400 sent, 400 round trips intact, 0 mismatched, 0 lost") ||
			!strings.Contains(out, "round trips/s") || !strings.Contains(out, "latency p50") {
			t.Errorf("%s: text report, exit %d:\n%s", network, code, out)
		}
	}
	// Against a server that does not echo, the status is 1.
	fixed := target(t, "tcp", "127.0.0.1:0", &rendpoint.Config{Mode: rendpoint.Fixed, Reply: []byte("nope")})
	if code, out, _ := runIn(t, "", "tcp", fixed, "--echo-test", "1", "--size", "4"); code != cli.ExitNoReply || !strings.Contains(out, "1 mismatched") {
		t.Errorf("fixed reply: exit %d\n%s", code, out)
	}
}

// TestConnectSeesLimits: the client shows the server's connection limit
// (a reset: status 2 naming it) and idle timeout (an orderly close while
// its input is still open: status 0).
func TestConnectSeesLimits(t *testing.T) {
	t.Parallel()
	limited := target(t, "tcp", "127.0.0.1:0", &rendpoint.Config{MaxConns: 1})
	held, err := net.Dial("tcp", limited)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	held.Write([]byte("x")) // served: the one connection allowed
	if _, err := held.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	r, w := net.Pipe()
	defer w.Close()
	var out, errb bytes.Buffer
	code := NewConnect(noDrop()).Run(context.Background(), &cli.Stdio{In: r, Out: &out, Err: &errb}, []string{"tcp", limited})
	if code != cli.ExitError || !strings.Contains(errb.String(), "connection reset by peer") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("over the limit: exit %d, stderr %q", code, errb.String())
	}

	idle := target(t, "tcp", "127.0.0.1:0", &rendpoint.Config{IdleTimeout: 200 * time.Millisecond})
	r2, w2 := net.Pipe()
	defer w2.Close()
	start := time.Now()
	code = NewConnect(noDrop()).Run(context.Background(), &cli.Stdio{In: r2, Out: &out, Err: &errb}, []string{"tcp", idle})
	if d := time.Since(start); code != cli.ExitOK || d < 190*time.Millisecond || d > 5*time.Second {
		t.Errorf("idle: exit %d after %v, want 0 after about 200ms", code, d)
	}
}

// TestConnectUDPLossMatchesServer runs both binaries: 100,000 datagrams
// of 16 to 1,200 bytes to `rawkit serve udp --max-size 1180`, which drops
// the longer ones. The loss the client reports equals the drops the
// server reports (oversize and kernel drops), plus the client's own.
func TestConnectUDPLossMatchesServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := clitest.BuildRawkit(t)
	srv := startServe(t, bin, "udp", "127.0.0.1:0", "--max-size", "1180", "--json")
	var client struct{ Sent, RoundTrips, Lost, Late, Mismatches, LocalDrops, Failed float64 }
	out, err := exec.Command(bin, "connect", "udp", srv.addr, "--echo-test", "25000", "--concurrency", "4",
		"--window", "64", "--size", "16-1200", "--timeout", "500ms", "--json").Output()
	// Exit status 1: datagrams were lost, as intended.
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != cli.ExitNoReply) {
		t.Fatalf("echo test: %v", err)
	}
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("report %q: %v", out, err)
	}
	client.Sent, client.RoundTrips, client.Lost = raw["sent"].(float64), raw["round_trips"].(float64), raw["lost"].(float64)
	client.Late, client.Mismatches, client.LocalDrops = raw["late"].(float64), raw["mismatches"].(float64), raw["local_drops"].(float64)
	client.Failed = raw["failed_connections"].(float64)
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	var st map[string]any
	for st == nil || st["event"] != "stats" {
		if err := json.Unmarshal([]byte(srv.line(t)), &st); err != nil {
			t.Fatal(err)
		}
	}
	in, outd := st["datagrams_in"].(float64), st["datagrams_out"].(float64)
	over, drops := st["oversize"].(float64), st["kernel_drops"].(float64)
	t.Logf("client %+v; server in %v out %v oversize %v kernel drops %v", client, in, outd, over, drops)
	if client.Sent != 100000 || client.Failed != 0 || client.Mismatches != 0 || over == 0 {
		t.Fatalf("client %+v, server oversize %v", client, over)
	}
	if client.Sent != in+drops {
		t.Errorf("client sent %v; server read %v, its kernel dropped %v", client.Sent, in, drops)
	}
	if client.RoundTrips+client.Late+client.LocalDrops != outd {
		t.Errorf("client got %v (+%v late, +%v dropped here); server sent %v", client.RoundTrips, client.Late, client.LocalDrops, outd)
	}
	if client.Lost-client.Late != over+drops+client.LocalDrops {
		t.Errorf("client lost %v (%v late); drops %v oversize + %v server kernel + %v client kernel", client.Lost, client.Late, over, drops, client.LocalDrops)
	}
}
