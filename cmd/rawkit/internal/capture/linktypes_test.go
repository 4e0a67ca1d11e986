package capture

import (
	"bytes"
	"encoding/binary"
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

// ip6Echo is an IPv6 echo request from 2001:db8::1 to 2001:db8::2.
func ip6Echo() []byte {
	b := make([]byte, 40+8+56)
	b[0], b[5], b[6], b[7] = 0x60, 64, 58, 64
	b[8], b[9], b[10], b[11], b[23] = 0x20, 0x01, 0x0d, 0xb8, 1
	b[24], b[25], b[26], b[27], b[39] = 0x20, 0x01, 0x0d, 0xb8, 2
	b[40], b[45], b[47] = 128, 7, 1
	return b
}

func writePcap(t testing.TB, link rcapture.LinkType, pkts ...[]byte) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := rcapture.NewPcapWriter(&buf, link, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range pkts {
		ci := gopacket.CaptureInfo{Timestamp: captureT0.Add(time.Duration(i) * time.Millisecond), CaptureLength: len(d), Length: len(d)}
		if err := w.WritePacket(ci, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "in.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCaptureLinkTypesNoFilter: files of link type 0 (BSD loopback), 228
// (IPv4) and 229 (IPv6) print with no filter given, and no error names a
// filter nobody gave.
func TestCaptureLinkTypesNoFilter(t *testing.T) {
	t.Parallel()
	ip4 := echoFrame(1, 8)[14:]
	null := binary.NativeEndian.AppendUint32(nil, 2) // AF_INET
	null = append(null, ip4...)
	want4 := "12:34:56.789012 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64\n"
	for _, tc := range []struct {
		link rcapture.LinkType
		pkt  []byte
		want string
	}{
		{rcapture.LinkNull, null, want4},
		{rcapture.LinkIPv4, ip4, want4},
		{rcapture.LinkIPv6, ip6Echo(), "12:34:56.789012 IP6 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 7, seq 1, length 64\n"},
	} {
		path := writePcap(t, tc.link, tc.pkt)
		code, out, errs := clitest.Run(t, New(noDrop()), "-r", path)
		if code != cli.ExitOK || errs != "" || out != tc.want {
			t.Errorf("link %v: exit %d, stderr %q, stdout %q; want %q", tc.link, code, errs, out, tc.want)
		}
	}
	// A filter on 228 and 229 works as on raw IP.
	path := writePcap(t, rcapture.LinkIPv4, ip4, ip4)
	if code, out, errs := clitest.Run(t, New(noDrop()), "-r", path, "icmp and host 10.0.0.2"); code != cli.ExitOK || strings.Count(out, "\n") != 2 {
		t.Errorf("IPV4 with a filter: exit %d, stderr %q, %d lines", code, errs, strings.Count(out, "\n"))
	}
}

// TestCaptureMicrosecondsOutOfRange: a pcap record whose microsecond
// field is 1,000,000 or more is read, as tcpdump reads it (it prints the
// field as is: 56.1500000); the excess is carried into the seconds.
func TestCaptureMicrosecondsOutOfRange(t *testing.T) {
	t.Parallel()
	le := binary.LittleEndian
	file := le.AppendUint32(nil, 0xa1b2c3d4)
	file = le.AppendUint16(file, 2)
	file = le.AppendUint16(file, 4)
	file = append(file, make([]byte, 8)...)
	file = le.AppendUint32(file, 65535)
	file = le.AppendUint32(file, 1)
	frame := echoFrame(1, 8)
	sec := uint32(captureT0.Unix())
	for _, us := range []uint32{999999, 1000000, 1500000, 4294967295} {
		file = le.AppendUint32(file, sec)
		file = le.AppendUint32(file, us)
		file = le.AppendUint32(file, uint32(len(frame)))
		file = le.AppendUint32(file, uint32(len(frame)))
		file = append(file, frame...)
	}
	path := filepath.Join(t.TempDir(), "usec.pcap")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := clitest.Run(t, New(noDrop()), "-r", path)
	if code != cli.ExitOK || errs != "" || strings.Count(out, "\n") != 4 {
		t.Fatalf("exit %d, stderr %q, stdout\n%s", code, errs, out)
	}
	t0 := time.Unix(int64(sec), 0)
	for i, d := range []time.Duration{999999 * time.Microsecond, time.Second, 1500 * time.Millisecond, 4294967295 * time.Microsecond} {
		if want := string(appendClock(nil, t0.Add(d))); !strings.HasPrefix(strings.Split(out, "\n")[i], want) {
			t.Errorf("line %d: %q, want the time %q", i, strings.Split(out, "\n")[i], want)
		}
	}
}
