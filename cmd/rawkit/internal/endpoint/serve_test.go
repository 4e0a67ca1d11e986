package endpoint

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

func TestServeBadInput(t *testing.T) {
	t.Parallel()
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldUDP, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer heldUDP.Close()
	listening := filepath.Join(t.TempDir(), "live.sock")
	live, err := net.Listen("unix", listening)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	pid := fmt.Sprintf("pid %d", os.Getpid())
	cases := []struct {
		args []string
		want []string // all in the one line
	}{
		{[]string{"tcp", "127.0.0.1:99999"}, []string{`"99999"`}},
		{[]string{"tcp", "127.0.0.1"}, []string{`"127.0.0.1"`}},
		{[]string{"udp", "no.such.host.invalid:7"}, []string{`"no.such.host.invalid"`}},
		{[]string{"tcp", "127.0.0.1:0", "--mode", "time"}, []string{`"time"`}},
		{[]string{"tcp", "127.0.0.1:0", "--mode", "fixed"}, []string{"--reply"}},
		{[]string{"sctp", "127.0.0.1:0"}, []string{`"sctp"`}},
		{[]string{"tcp"}, []string{"ADDRESS"}},
		{[]string{"tcp", "127.0.0.1:0", "--max-conns", "-1"}, []string{"-1"}},
		{[]string{"tcp", "127.0.0.1:0", "--idle", "soon"}, []string{"soon"}},
		{[]string{"unix", "/no/such/dir/s.sock"}, []string{`"/no/such/dir"`, "does not exist"}},
		{[]string{"unix", listening}, []string{listening, "in use"}},
		{[]string{"tcp", held.Addr().String()}, []string{held.Addr().String(), "in use", "another process holds it", pid}},
		{[]string{"udp", heldUDP.LocalAddr().String()}, []string{heldUDP.LocalAddr().String(), "another process holds it", pid}},
	}
	for _, c := range cases {
		code, out, errOut := clitest.Run(t, NewServe(noDrop()), c.args...)
		if code != cli.ExitError || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", c.args, code, out, errOut)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%q: %q does not name %q", c.args, errOut, w)
			}
		}
	}
}

// lockedLines collects a command's output lines as they come.
type lockedLines struct {
	lines chan string
	w     *io.PipeWriter
}

func newLines() *lockedLines {
	r, w := io.Pipe()
	l := &lockedLines{lines: make(chan string, 100), w: w}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.lines <- sc.Text()
		}
		close(l.lines)
	}()
	return l
}

func (l *lockedLines) next(t *testing.T) string {
	t.Helper()
	select {
	case s, ok := <-l.lines:
		if !ok {
			t.Fatal("output ended")
		}
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no output line within 10s")
	}
	return ""
}

// TestServeRunsAndReports runs the command in process with --json: the
// listening event names the port the kernel chose, the connection is
// served, and the counters come out on cancel.
func TestServeRunsAndReports(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines := newLines()
	done := make(chan int, 1)
	go func() {
		done <- NewServe(noDrop()).Run(ctx, &cli.Stdio{In: strings.NewReader(""), Out: lines.w, Err: lines.w},
			[]string{"udp", "127.0.0.1:0", "--reply", "pong", "--json"})
		lines.w.Close()
	}()
	var ev map[string]any
	if err := json.Unmarshal([]byte(lines.next(t)), &ev); err != nil || ev["event"] != "listening" || ev["mode"] != "fixed" {
		t.Fatalf("first event %v, %v", ev, err)
	}
	addr := ev["address"].(string)
	if strings.HasSuffix(addr, ":0") {
		t.Fatalf("listening address %q does not report the port", addr)
	}
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 10)
	if n, err := c.Read(b); err != nil || string(b[:n]) != "pong" {
		t.Fatalf("reply %q, %v", b[:n], err)
	}
	cancel()
	for _, want := range []string{"stopping", "stats"} {
		if err := json.Unmarshal([]byte(lines.next(t)), &ev); err != nil || ev["event"] != want {
			t.Fatalf("event %v, %v; want %s", ev, err, want)
		}
	}
	if ev["datagrams_in"] != 1.0 || ev["datagrams_out"] != 1.0 || ev["bytes_out"] != 4.0 {
		t.Errorf("stats %v", ev)
	}
	if code := <-done; code != cli.ExitOK {
		t.Errorf("exit %d", code)
	}
}

func dialTCP(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*net.TCPConn)
}

// The load tests below run alone: they measure peak memory and drain
// times of a server under 100 to 1,000 connections.

// TestServeSIGTERMDrains sends a real SIGTERM to `rawkit serve` while 100
// transfers are half done: all complete with equal hashes within the
// drain time, a connection attempt after the signal is refused, and the
// server exits 0 with its counters.
func TestServeSIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := clitest.BuildRawkit(t)
	srv := startServe(t, bin, "tcp", "127.0.0.1:0", "--drain", "20s")
	const n, size = 100, 1 << 20
	var halfway, wg sync.WaitGroup
	halfway.Add(n)
	release := make(chan struct{})
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		c := dialTCP(t, srv.addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if err := echoTransfer(c, size, uint64(i), func() { halfway.Done(); <-release }); err != nil {
				errs <- fmt.Errorf("transfer %d: %w", i, err)
			}
		}()
	}
	halfway.Wait()
	start := time.Now()
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if l := srv.line(t); !strings.HasPrefix(l, "stopping: no new connections; 100 open") {
		t.Fatalf("after SIGTERM: %q", l)
	}
	if c, err := net.DialTimeout("tcp", srv.addr, 5*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("connection after SIGTERM: %v, want connection refused", err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	stats := srv.line(t)
	if err := srv.cmd.Wait(); err != nil {
		t.Errorf("server exit: %v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("server took %v to drain, over its 20s", d)
	}
	want := fmt.Sprintf(": 100 connections, 0 refused, 0 idle-closed, 0 cut at drain, %d bytes in, %d bytes out, 0 errors", n*size, n*size)
	if !strings.HasSuffix(stats, want) {
		t.Errorf("counters %q, want ...%q", stats, want)
	}
}

// TestServeIntegrityPeakMemory: 1,000 concurrent clients each send 1 MiB
// of random data to `rawkit serve` and get every byte back (hashes
// equal); the server's peak resident memory stays bounded.
func TestServeIntegrityPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	bin := clitest.BuildRawkit(t)
	srv := startServe(t, bin, "tcp", "127.0.0.1:0")
	const n, size = 1000, 1 << 20
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", srv.addr, 30*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := echoTransfer(c.(*net.TCPConn), size, uint64(i), nil); err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	peak := peakMemory(t, srv.cmd.Process.Pid)
	t.Logf("%d clients x %d bytes echoed in %v; server peak RSS %.1f MB", n, size, time.Since(start).Round(time.Millisecond), float64(peak)/1e6)
	// 1,000 busy connections hold at most one 64 KiB buffer each.
	if peak > 256<<20 {
		t.Errorf("server peak RSS %d bytes, over 256 MiB", peak)
	}
	_ = srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.line(t) // stopping
	if stats := srv.line(t); !strings.Contains(stats, fmt.Sprintf(" %d bytes in, %d bytes out, 0 errors", n*size, n*size)) {
		t.Errorf("counters %q", stats)
	}
}

// TestServeUnixBoundNotListening: `serve unix PATH` on the file of a
// socket that is bound but not yet listening (it refuses connections, as
// a stale file does) is one line and status 2, and the owner keeps its
// file.
func TestServeUnixBoundNotListening(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "s.sock")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code, _, stderr := clitest.RunContext(ctx, t, NewServe(noDrop()), "unix", path)
	if code != cli.ExitError || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, path) {
		t.Errorf("exit %d, stderr %q; want 2 and one line naming %s", code, stderr, path)
	}
	if err := syscall.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("the owner lost its socket file: %v", err)
	}
	c.Close()
}
