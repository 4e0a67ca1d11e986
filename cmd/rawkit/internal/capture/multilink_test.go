package capture

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// multiLinkFile writes a pcapng file whose interface 0 is Ethernet and
// interface 1 raw IP, with packets alternating between them.
func multiLinkFile(t *testing.T) (string, [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	w, err := rcapture.NewPcapngWriter(&buf, rcapture.PcapngInterface{Link: rcapture.LinkEthernet})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := w.AddInterface(rcapture.PcapngInterface{Link: rcapture.LinkRaw}); err != nil || id != 1 {
		t.Fatalf("AddInterface: %d, %v", id, err)
	}
	var pkts [][]byte
	for i := 0; i < 4; i++ {
		d := echoFrame(byte(i+1), 8)
		if i%2 == 1 {
			d = d[14:]
		}
		pkts = append(pkts, d)
		ci := gopacket.CaptureInfo{Timestamp: captureT0.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(d), Length: len(d)}
		if err := w.WritePacketOn(i%2, ci, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "multi.pcapng")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, pkts
}

// TestCaptureMultiLinkToPcapng: converting a pcapng file with two link
// types to pcapng keeps each packet under an interface of its link type
// (every packet used to be written under the first).
func TestCaptureMultiLinkToPcapng(t *testing.T) {
	t.Parallel()
	in, pkts := multiLinkFile(t)
	out := filepath.Join(t.TempDir(), "out.pcapng")
	code, _, errs := clitest.Run(t, New(noDrop()), "-r", in, "-w", out, "--pcapng")
	if code != cli.ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := rcapture.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range pkts {
		data, ci, err := rd.ReadPacket()
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		wantLink := rcapture.LinkEthernet
		if i%2 == 1 {
			wantLink = rcapture.LinkRaw
		}
		if got := rd.LinkTypeOf(ci.InterfaceIndex); got != wantLink || !bytes.Equal(data, want) {
			t.Errorf("packet %d: link %v, %d bytes; want %v and the %d bytes read", i, got, len(data), wantLink, len(want))
		}
	}
	if _, _, err := rd.ReadPacket(); err == nil {
		t.Error("more packets than were read")
	}
	// And they print as what they are.
	code, lines, _ := clitest.Run(t, New(noDrop()), "-r", out)
	if code != cli.ExitOK || strings.Count(lines, "ICMP echo request") != 4 {
		t.Errorf("exit %d, printed\n%s", code, lines)
	}
}

// TestCaptureMultiLinkToPcap: a pcap file has one link type; packets of
// another are skipped, counted in one warning line, and the rest kept.
func TestCaptureMultiLinkToPcap(t *testing.T) {
	t.Parallel()
	in, pkts := multiLinkFile(t)
	out := filepath.Join(t.TempDir(), "out.pcap")
	code, _, errs := clitest.Run(t, New(noDrop()), "-r", in, "-w", out)
	want := "rawkit capture: warning: 2 packets of link type RAW skipped: a pcap file holds only EN10MB (write --pcapng to keep them)\n"
	if code != cli.ExitOK || errs != want {
		t.Errorf("exit %d, stderr %q; want 0 and %q", code, errs, want)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := rcapture.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		data, _, err := rd.ReadPacket()
		if err != nil || !bytes.Equal(data, pkts[2*i]) {
			t.Errorf("packet %d: %v, %d bytes; want the Ethernet frame", i, err, len(data))
		}
	}
	if _, _, err := rd.ReadPacket(); err == nil {
		t.Error("a raw IP packet was written into the Ethernet pcap file")
	}
}
