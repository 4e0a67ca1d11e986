//go:build privileged

package send

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/ipv4"
)

// The privileged send tests run rawkit send inside host A of a namespace
// pair and check, on B's tcpdump capture, what crossed the wire: the
// capture is the oracle, parsed here with x/net's header parser and plain
// byte reads, not with package craft that built the packets.

// sendIn runs rawkit send with args inside h's namespace. The test
// process keeps its capabilities: the next test needs them.
//
// These tests run one at a time: each builds namespaces and runs tcpdump
// in them, TestSendPacedThroughInterface times packets on the wire, and
// TestSendAsNobody runs the test binary again as nobody; in parallel on a
// small machine the timings would not hold.
func sendIn(t *testing.T, h *netlab.Host, args ...string) (int, string, string) {
	t.Helper()
	c := New(&Env{DropPrivileges: func() error { return nil }})
	var code int
	var out, errb bytes.Buffer
	err := h.Do(func() error {
		code = c.Run(context.Background(), &cli.Stdio{In: strings.NewReader(""), Out: &out, Err: &errb}, args)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// sumOK reports whether the Internet checksum over b verifies. It is
// written out rather than taken from internal/checksum, which built the
// packets: the oracle must not share the code it checks.
func sumOK(b []byte) bool {
	var s uint32
	for ; len(b) >= 2; b = b[2:] {
		s += uint32(binary.BigEndian.Uint16(b))
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return s == 0xffff
}

type wire struct {
	h       *ipv4.Header
	raw     []byte
	payload []byte
}

func capturedIPv4(t *testing.T, pkts []netlab.Packet) []wire {
	t.Helper()
	var out []wire
	for _, p := range pkts {
		b := p.IPv4()
		if b == nil {
			continue
		}
		h, err := ipv4.ParseHeader(b)
		if err != nil {
			t.Fatalf("captured packet does not parse: %v", err)
		}
		out = append(out, wire{h: h, raw: b, payload: b[h.Len:min(h.TotalLen, len(b))]})
	}
	return out
}

// TestSendWire sends one spec of each kind from A and checks every field
// of what B captured against the spec, a wrong ICMP checksum, a wrong UDP
// checksum and a fragment offset included; and the bytes against the
// -w file of what rawkit says it sent.
func TestSendWire(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	specs := []string{
		`ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, tos=0x10)/icmp(type=echo-request, id=1, seq=1, chksum=0x1234)/raw("hello")`,
		`ip(dst=10.0.0.2, id=300, frag=185, flags=MF, ttl=9)/raw(size=64)`,
		`ip(dst=10.0.0.2, id=8)/udp(sport=1234, dport=53, chksum=0xbad0)/raw(hex="00ff")`,
		`ip(dst=10.0.0.2, id=9, options=[nop, rr=2])/tcp(sport=40000, dport=80, flags=S, seq=1000, window=1024, options=[mss=1460, sackok, wscale=7])`,
		`ip(dst=10.0.0.2, id=10)/ip(src=172.16.0.1, dst=172.16.0.2, ttl=5)/icmp(id=5, seq=6)`,
	}
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1 and not arp")
	for _, spec := range specs {
		if code, out, errs := sendIn(t, p.A, spec); code != cli.ExitOK {
			t.Fatalf("%s: status %d\n%s%s", spec, code, out, errs)
		}
	}
	got := capturedIPv4(t, s.Stop())
	if len(got) != len(specs) {
		t.Fatalf("captured %d packets, sent %d", len(got), len(specs))
	}
	for i, w := range got {
		h := w.h
		if h.Src.String() != "10.0.0.1" || h.Dst.String() != "10.0.0.2" || !sumOK(w.raw[:h.Len]) {
			t.Errorf("packet %d: %v > %v, header checksum ok %v", i, h.Src, h.Dst, sumOK(w.raw[:h.Len]))
		}
	}
	// 1: every field as written, the wrong ICMP checksum kept.
	w := got[0]
	if w.h.TTL != 3 || w.h.ID != 7 || w.h.Flags != ipv4.DontFragment || w.h.TOS != 0x10 || w.h.Protocol != 1 || w.h.FragOff != 0 {
		t.Errorf("echo: header %+v", w.h)
	}
	if want := []byte{8, 0, 0x12, 0x34, 0, 1, 0, 1, 'h', 'e', 'l', 'l', 'o'}; !bytes.Equal(w.payload, want) || sumOK(w.payload) {
		t.Errorf("echo: ICMP % x, want % x with a bad checksum", w.payload, want)
	}
	// 2: a later fragment: offset 185 (in 8-byte units: 1480 bytes), MF,
	// 64 zero bytes.
	w = got[1]
	if w.h.FragOff != 185 || w.h.Flags != ipv4.MoreFragments || w.h.ID != 300 || w.h.TTL != 9 || w.h.Protocol != 0 || !bytes.Equal(w.payload, make([]byte, 64)) {
		t.Errorf("fragment: header %+v, payload % x", w.h, w.payload)
	}
	// 3: UDP with the wrong checksum kept.
	w = got[2]
	if want := []byte{0x04, 0xd2, 0, 53, 0, 10, 0xba, 0xd0, 0, 0xff}; !bytes.Equal(w.payload, want) || w.h.Protocol != 17 {
		t.Errorf("udp: % x, want % x", w.payload, want)
	}
	// 4: IP options (nop, record route with 2 slots) and TCP options.
	w = got[3]
	if want := []byte{1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0}; !bytes.Equal(w.raw[20:w.h.Len], want) {
		t.Errorf("ip options % x, want % x", w.raw[20:w.h.Len], want)
	}
	tcp := w.payload
	if len(tcp) != 32 || binary.BigEndian.Uint16(tcp) != 40000 || binary.BigEndian.Uint16(tcp[2:]) != 80 ||
		binary.BigEndian.Uint32(tcp[4:]) != 1000 || tcp[12]>>4 != 8 || tcp[13] != 0x02 || binary.BigEndian.Uint16(tcp[14:]) != 1024 ||
		!bytes.Equal(tcp[20:], []byte{2, 4, 0x05, 0xb4, 4, 2, 3, 3, 7, 0, 0, 0}) {
		t.Errorf("tcp % x", tcp)
	}
	// 5: IP in IP.
	w = got[4]
	inner, err := ipv4.ParseHeader(w.payload)
	if w.h.Protocol != 4 || err != nil || inner.Src.String() != "172.16.0.1" || inner.Dst.String() != "172.16.0.2" || inner.TTL != 5 ||
		!bytes.Equal(w.payload[20:], []byte{8, 0, 0xf7, 0xf4, 0, 5, 0, 6}) {
		t.Errorf("ip in ip: outer protocol %d, inner %+v (%v), % x", w.h.Protocol, inner, err, w.payload)
	}
}

// TestSendPcapIsWire: -w records exactly the bytes B captured.
func TestSendPcapIsWire(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	file := t.TempDir() + "/sent.pcap"
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1 and udp")
	if code, out, errs := sendIn(t, p.A, "-c", "2", "ip(dst=10.0.0.2, ttl=1-3)/udp(sport=999, dport=[7,9])/raw(\"x\")", "-w", file); code != cli.ExitOK {
		t.Fatalf("status %d\n%s%s", code, out, errs)
	}
	wire := capturedIPv4(t, s.Stop())
	sent := readPcapFile(t, file)
	if len(wire) != 12 || len(sent) != 12 {
		t.Fatalf("captured %d, pcap %d, want 12 each", len(wire), len(sent))
	}
	for i := range wire {
		if !bytes.Equal(wire[i].raw, sent[i]) {
			t.Errorf("packet %d:\nwire % x\npcap % x", i, wire[i].raw, sent[i])
		}
	}
}

// TestSendWait: --wait shows the SYN-ACK of a listener, the RST of a
// closed TCP port and the port unreachable of a closed UDP port, each
// under the packet it answers; B's capture shows they were sent.
func TestSendWait(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	var ln net.Listener
	if err := p.B.Do(func() (err error) {
		ln, err = net.Listen("tcp4", "10.0.0.2:8080")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.2 and (tcp or icmp)")
	code, out, errs := sendIn(t, p.A, "--wait=3s", "ip(dst=10.0.0.2)/tcp(sport=40000, dport=[8080,8081], seq=1000)")
	if code != cli.ExitOK {
		t.Fatalf("tcp: status %d\n%s%s", code, out, errs)
	}
	for _, re := range []string{
		`(?m)^IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.8080: Flags \[S\], seq 1000, win 8192, length 0\n  <- IP 10\.0\.0\.2\.8080 > 10\.0\.0\.1\.40000: Flags \[S\.\], seq \d+, ack 1001, win \d+, options \[mss \d+\], length 0, rtt [0-9.]+ ms$`,
		`(?m)^IP 10\.0\.0\.1\.40000 > 10\.0\.0\.2\.8081: Flags \[S\], seq 1000, win 8192, length 0\n  <- IP 10\.0\.0\.2\.8081 > 10\.0\.0\.1\.40000: Flags \[R\.\], seq 0, ack 1001, win 0, length 0, rtt [0-9.]+ ms$`,
		`(?m)^sent 2 packets in .*; 2 answers, 2 of 2 packets answered$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("tcp output does not match %s:\n%s", re, out)
		}
	}
	code, out, errs = sendIn(t, p.A, "--wait=3s", "ip(dst=10.0.0.2)/udp(sport=40001, dport=9999)/raw(\"ping\")")
	if code != cli.ExitOK {
		t.Fatalf("udp: status %d\n%s%s", code, out, errs)
	}
	want := "IP 10.0.0.1.40001 > 10.0.0.2.9999: UDP, length 4\n  <- IP 10.0.0.2 > 10.0.0.1: ICMP 10.0.0.2 udp port 9999 unreachable, length 40, rtt "
	if !strings.HasPrefix(out, want) {
		t.Errorf("udp output:\n%s\nwant it to start with\n%s", out, want)
	}
	var synack, rst, unreach bool
	for _, w := range capturedIPv4(t, s.Stop()) {
		switch {
		case w.h.Protocol == 6 && len(w.payload) >= 14 && binary.BigEndian.Uint16(w.payload) == 8080:
			synack = w.payload[13] == 0x12 && binary.BigEndian.Uint32(w.payload[8:]) == 1001
		case w.h.Protocol == 6 && len(w.payload) >= 14 && binary.BigEndian.Uint16(w.payload) == 8081:
			rst = w.payload[13]&0x04 != 0
		case w.h.Protocol == 1 && len(w.payload) >= 2:
			unreach = w.payload[0] == 3 && w.payload[1] == 3
		}
	}
	if !synack || !rst || !unreach {
		t.Errorf("B's capture: SYN-ACK %v, RST %v, port unreachable %v", synack, rst, unreach)
	}
}

// TestSendWaitNoAnswer: nothing answers a wrong checksum: status 1.
func TestSendWaitNoAnswer(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	code, out, errs := sendIn(t, p.A, "--wait=500ms", "ip(dst=10.0.0.2)/icmp(id=3, seq=4, chksum=1)")
	if code != cli.ExitNoReply || !strings.Contains(out, "  <- no answer\n") || errs != "" {
		t.Errorf("status %d\n%s%s", code, out, errs)
	}
}

// TestSendNoRoute: a destination without a route is one line, status 2,
// and nothing leaves A.
func TestSendNoRoute(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	s := netlabtest.Sniff(t, p.A, p.AIf, "not arp")
	code, out, errs := sendIn(t, p.A, "ip(ttl=5, dst=192.0.2.9)/icmp()")
	want := "rawkit send: no source address for dst 192.0.2.9: connect: network is unreachable at column 11\n  ip(ttl=5, dst=192.0.2.9)/icmp()\n            ^\n"
	if code != cli.ExitError || out != "" || errs != want {
		t.Errorf("status %d, stdout %q, stderr\n%s\nwant\n%s", code, out, errs, want)
	}
	if pkts := s.Stop(); len(pkts) != 0 {
		t.Errorf("%d packets left A", len(pkts))
	}
}

// TestSendAsNobody: without privilege, one line with the hint, status 2.
func TestSendAsNobody(t *testing.T) {
	if netlabtest.AsNobody() {
		code, out, errs := clitest.Run(t, New(nil), "ip(dst=10.0.0.2)/icmp()")
		if code != cli.ExitError || out != "" || strings.Count(errs, "\n") != 1 ||
			!strings.HasPrefix(errs, "rawkit send: ") || !strings.Contains(errs, "setcap cap_net_raw+ep") {
			t.Fatalf("status %d, stdout %q, stderr %q", code, out, errs)
		}
		return
	}
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	s := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	if out, err := netlabtest.RunAsNobody(t, p.A, "TestSendAsNobody"); err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if pkts := s.Stop(); len(pkts) != 0 {
		t.Errorf("%d packets sent without privilege", len(pkts))
	}
}

func readPcapFile(t *testing.T, name string) [][]byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var pkts [][]byte
	for {
		b, _, err := r.ReadPacket()
		if err == io.EOF {
			return pkts
		}
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, append([]byte(nil), b...))
	}
}

// TestSendPacedThroughInterface: -I binds to A's interface and --rate
// spaces the packets, as B's capture timestamps show.
func TestSendPacedThroughInterface(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1 and icmp")
	code, out, errs := sendIn(t, p.A, "-I", p.AIf, "-c", "21", "--rate", "200", "ip(dst=10.0.0.2)/icmp(id=77)")
	if code != cli.ExitOK {
		t.Fatalf("status %d\n%s%s", code, out, errs)
	}
	pkts := s.Stop()
	if len(pkts) != 21 {
		t.Fatalf("captured %d packets, want 21", len(pkts))
	}
	// 20 gaps of 5 ms: 100 ms, give or take the scheduler.
	if span := pkts[20].Timestamp.Sub(pkts[0].Timestamp); span < 90e6 || span > 400e6 {
		t.Errorf("21 packets at 200/s took %v on the wire, want about 100ms", span)
	}
}

// TestSendMemoryFlat: sending 65,536 large packets to loopback builds
// each as it goes; it held them all (4.3 GB) before.
func TestSendMemoryFlat(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	code, rss := peakRSS(t, bin, "send", bigSpec)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, maxRSS>>20)
	}
	t.Logf("peak RSS %d MB", rss>>20)
}

// TestSendWaitMemoryBounded: with --wait the matcher keeps what matching
// needs of each packet, not the packet, and the answers kept are bounded
// in bytes (inject.MaxAnswerBytes). Large datagrams from port 9 to port
// 9 on loopback are each received as their own answer: 3.7 GB before.
func TestSendWaitMemoryBounded(t *testing.T) {
	netlabtest.Privileged(t)
	bin := clitest.BuildRawkit(t)
	code, rss := peakRSS(t, bin, "send", "--wait=0.5", "ip(dst=127.0.0.1, id=1-65535)/udp(sport=9, dport=9)/raw(size=65000)")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if rss > maxRSS {
		t.Errorf("peak RSS %d MB, want at most %d MB", rss>>20, maxRSS>>20)
	}
	t.Logf("peak RSS %d MB", rss>>20)
}
