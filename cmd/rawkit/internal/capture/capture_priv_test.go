//go:build linux && privileged

package capture

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// These tests run one at a time: they count packets against the kernel's
// drop counter and ping's, and TestFilesReadByPeers captures on this
// namespace's loopback, which other tests' traffic would share.

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startCapture runs `rawkit capture ARGS` in the background and returns
// once it is listening; stop cancels it (as Ctrl-C does) and returns its
// exit status and standard error.
func startCapture(t *testing.T, args ...string) (stop func() (int, string)) {
	t.Helper()
	return startCaptureIn(t, nil, args...)
}

// startCaptureIn is startCapture inside host h's namespace (nil: this
// one). The capture socket is opened on the thread h.Do locks into the
// namespace, and a packet socket stays in the namespace it was opened in.
func startCaptureIn(t *testing.T, h *netlab.Host, args ...string) (stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	done := make(chan int, 1)
	runCapture := func() error {
		done <- New(noDrop()).Run(ctx, &cli.Stdio{In: strings.NewReader(""), Out: io.Discard, Err: &errb}, args)
		return nil
	}
	go func() {
		if h == nil {
			_ = runCapture()
			return
		}
		if err := h.Do(runCapture); err != nil {
			errb.Write([]byte(err.Error()))
			done <- cli.ExitError
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "listening on") {
		select {
		case code := <-done:
			cancel()
			t.Fatalf("capture exited with %d: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("capture did not start: %s", errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(cancel)
	return func() (int, string) {
		cancel()
		return <-done, errb.String()
	}
}

var countsRE = regexp.MustCompile(`(?m)^(\d+) packets? (captured|received by filter|dropped by kernel)$`)

func counts(t *testing.T, stderr string) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, g := range countsRE.FindAllStringSubmatch(stderr, -1) {
		n, _ := strconv.Atoi(g[1])
		m[g[2]] = n
	}
	if len(m) != 3 {
		t.Fatalf("no packet counts in %q", stderr)
	}
	return m
}

func readBack(t *testing.T, path string) []rcapture.Packet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := rcapture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var pkts []rcapture.Packet
	for {
		data, ci, err := rd.ReadPacket()
		if err == io.EOF {
			return pkts
		}
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, rcapture.Packet{Timestamp: ci.Timestamp, LinkType: rd.LinkType(),
			Data: append([]byte(nil), data...), Length: ci.Length})
	}
}

var pingStatsRE = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`)

// TestCapturePingFlood: while ping -f -c 50000 127.0.0.1 runs, rawkit
// capture -i lo records every request and reply ping counted and the
// kernel drops none. The flood uses an unusual size so that other ICMP
// on lo is not counted.
func TestCapturePingFlood(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	// A namespace of its own: no other test's ICMP on this loopback.
	h := netlabtest.NewHost(t)
	path := filepath.Join(t.TempDir(), "flood.pcap")
	stop := startCaptureIn(t, h, "-i", "lo", "-w", path, "icmp and ip[2:2] == 100")
	out, err := h.Command(context.Background(), ping, "-n", "-q", "-f", "-c", "50000", "-s", "72", "127.0.0.1").CombinedOutput()
	code, stderr := stop()
	if err != nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	m := pingStatsRE.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no statistics in ping's output:\n%s", out)
	}
	sent, recv := atoi(m[1]), atoi(m[2])
	c := counts(t, stderr)
	pkts := readBack(t, path)
	var req, rep int
	for _, p := range pkts {
		switch p.Data[14+20] {
		case 8:
			req++
		case 0:
			rep++
		}
	}
	t.Logf("ping: %d sent, %d received; rawkit: %v; file: %d requests, %d replies", sent, recv, c, req, rep)
	// On lo the leaving copy of each packet is kept: every request ping
	// sent is in the file, and every reply it received. A reply can be in
	// the file and not in ping's count: sent after ping stopped waiting,
	// or dropped by the loopback backlog on a loaded machine (which also
	// drops requests, so that no reply is ever sent).
	if code != cli.ExitOK || c["dropped by kernel"] != 0 || c["captured"] != len(pkts) ||
		req != sent || rep < recv || rep > sent || c["received by filter"] != len(pkts) {
		t.Errorf("exit %d; want every echo ping counted and 0 dropped\n%s", code, stderr)
	}
	if sent == recv && (req != sent || rep != recv) {
		t.Errorf("ping lost nothing, yet the file has %d requests and %d replies of %d", req, rep, sent)
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// TestFilesReadByPeers: pcap and pcapng files written by rawkit capture
// read in tcpdump and tshark with no warnings, with the same packets,
// bytes and time stamps (µs from tcpdump, ns from tshark).
func TestFilesReadByPeers(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	tcpdump := netlabtest.NeedTool(t, "tcpdump")
	tshark := netlabtest.NeedTool(t, "tshark")
	for _, format := range []string{"pcap", "pcapng"} {
		path := filepath.Join(t.TempDir(), "lo."+format)
		args := []string{"-i", "lo", "-w", path, "icmp and ip[2:2] == 105"}
		if format == "pcapng" {
			args = append([]string{"--pcapng"}, args...)
		}
		stop := startCapture(t, args...)
		out, err := exec.Command(ping, "-n", "-c", "4", "-i", "0.2", "-s", "77", "127.0.0.1").CombinedOutput()
		code, stderr := stop()
		if err != nil || code != cli.ExitOK {
			t.Fatalf("ping: %v %s; capture exit %d: %s", err, out, code, stderr)
		}
		pkts := readBack(t, path)
		if len(pkts) != 8 {
			t.Fatalf("%s: %d packets in the file, want 8", format, len(pkts))
		}
		checkTcpdump(t, tcpdump, path, pkts)
		checkTshark(t, tshark, path, pkts)
	}
}

func checkTcpdump(t *testing.T, tcpdump, path string, pkts []rcapture.Packet) {
	t.Helper()
	cmd := exec.Command(tcpdump, "-n", "-tt", "-xx", "-r", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump: %v: %s", err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); !strings.HasPrefix(s, "reading from file") || strings.Contains(s, "\n") {
		t.Errorf("tcpdump says: %q", s)
	}
	// Each packet: a summary line starting with the time, then hex lines.
	var i int
	var hexb []byte
	flush := func() {
		if i > 0 && !bytes.Equal(hexb, pkts[i-1].Data) {
			t.Errorf("%s packet %d: tcpdump reads %x, want %x", path, i, hexb, pkts[i-1].Data)
		}
		hexb = nil
	}
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if strings.HasPrefix(line, "\t0x") {
			fields := strings.Fields(line[strings.Index(line, ":")+1:])
			for _, f := range fields {
				if b, err := hex.DecodeString(f); err == nil && len(f)%2 == 0 && len(f) <= 4 {
					hexb = append(hexb, b...)
				} else {
					break
				}
			}
			continue
		}
		flush()
		if i >= len(pkts) {
			t.Fatalf("tcpdump shows more than %d packets", len(pkts))
		}
		want := fmt.Sprintf("%d.%06d IP 127.0.0.1 > 127.0.0.1: ICMP echo", pkts[i].Timestamp.Unix(), pkts[i].Timestamp.Nanosecond()/1000)
		if !strings.HasPrefix(line, want) || !strings.HasSuffix(line, "length 85") {
			t.Errorf("tcpdump line %q, want %q...length 85", line, want)
		}
		i++
	}
	flush()
	if i != len(pkts) {
		t.Errorf("tcpdump shows %d packets, want %d", i, len(pkts))
	}
}

func checkTshark(t *testing.T, tshark, path string, pkts []rcapture.Packet) {
	t.Helper()
	cmd := exec.Command(tshark, "-n", "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len", "-e", "icmp.type")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v: %s", err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" && !strings.Contains(s, "Running as user \"root\"") {
		t.Errorf("tshark says: %q", s)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(pkts) {
		t.Fatalf("tshark shows %d packets, want %d", len(lines), len(pkts))
	}
	for i, line := range lines {
		p := pkts[i]
		want := fmt.Sprintf("%d.%09d\t%d\t%d\t%d", p.Timestamp.Unix(), p.Timestamp.Nanosecond(), len(p.Data), p.Length, 8-8*(i%2))
		if line != want {
			t.Errorf("tshark: %q, want %q", line, want)
		}
	}
}
