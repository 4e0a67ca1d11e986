package capture

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// echoFrame is an Ethernet frame holding an ICMP echo request from
// 10.0.0.1 to 10.0.0.2, id 7, seq seq, 56 bytes of data (checksums are
// not checked by the summary).
func echoFrame(seq byte, typ byte) []byte {
	b := make([]byte, 14+20+8+56)
	b[12], b[13] = 0x08, 0x00
	ip := b[14:]
	ip[0], ip[3], ip[8], ip[9] = 0x45, 84, 64, 1
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	ip[20], ip[25], ip[27] = typ, 7, seq
	return b
}

var captureT0 = time.Date(2024, 5, 1, 12, 34, 56, 789012345, time.Local)

// pcapFile writes n echo requests/replies to a pcap file and returns its path and bytes.
func pcapFile(t testing.TB, n int) (string, []byte) {
	t.Helper()
	pkts := make([][]byte, n)
	for i := range pkts {
		pkts[i] = echoFrame(byte(i/2+1), byte(8*(1-i%2)))
	}
	path := writePcap(t, rcapture.LinkEthernet, pkts...)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, b
}

func TestCaptureReadPrints(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 4)
	code, out, errs := clitest.Run(t, New(noDrop()), "-r", path, "icmp[icmptype] == icmp-echo")
	if code != cli.ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := "12:34:56.789012 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64\n" +
		"12:34:56.791012 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 2, length 64\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestCaptureReadWriteFilterCount(t *testing.T) {
	t.Parallel()
	path, _ := pcapFile(t, 10)
	for _, ng := range []bool{false, true} {
		dst := filepath.Join(t.TempDir(), "out")
		args := []string{"-r", path, "-w", dst, "-c", "3", "-s", "50"}
		if ng {
			args = append(args, "--pcapng")
		}
		args = append(args, "icmp[0] == 0")
		if code, _, errs := clitest.Run(t, New(noDrop()), args...); code != cli.ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		f, err := os.Open(dst)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := rcapture.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			data, ci, err := rd.ReadPacket()
			if err != nil {
				break
			}
			n++
			if len(data) != 50 || ci.Length != 98 || data[34] != 0 {
				t.Errorf("pcapng=%v packet %d: %d of %d bytes, type %d", ng, n, len(data), ci.Length, data[34])
			}
			if want := captureT0.Add(time.Duration(2*n-1) * time.Millisecond); !ci.Timestamp.Equal(want) {
				t.Errorf("pcapng=%v packet %d at %v, want %v", ng, n, ci.Timestamp, want)
			}
		}
		f.Close()
		if n != 3 {
			t.Errorf("pcapng=%v: %d packets written, want 3", ng, n)
		}
	}
}

// TestCaptureTruncatedFile: the packets before the damage are printed,
// then one line of error, and the status is 2.
func TestCaptureTruncatedFile(t *testing.T) {
	t.Parallel()
	_, file := pcapFile(t, 4)
	path := filepath.Join(t.TempDir(), "cut.pcap")
	if err := os.WriteFile(path, file[:len(file)-30], 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := clitest.Run(t, New(noDrop()), "-r", path)
	if code != cli.ExitError || strings.Count(out, "\n") != 3 {
		t.Errorf("exit %d, %d lines printed; want 2 and 3 lines:\n%s", code, strings.Count(out, "\n"), out)
	}
	if !strings.HasPrefix(errs, "rawkit capture: reading "+path+": ") || !strings.Contains(errs, "truncated after 3 packets") ||
		strings.Count(errs, "\n") != 1 {
		t.Errorf("stderr %q", errs)
	}
}

func TestCaptureBadInput(t *testing.T) {
	t.Parallel()
	good, file := pcapFile(t, 2)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.pcap")
	bad := append([]byte(nil), file...)
	bad[24+8], bad[24+9], bad[24+10] = 0xff, 0xff, 0xff // first caplen
	if err := os.WriteFile(corrupt, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	notPcap := filepath.Join(dir, "text.pcap")
	if err := os.WriteFile(notPcap, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-i", "nosuch0"}, `no such interface "nosuch0"`},
		{[]string{"-r", good, "tcp prt 80"}, `filter "tcp prt 80": unexpected "prt" at position 5`},
		{[]string{"-r", good, "host 10.0.0.1 and ("}, "at position 20"},
		{[]string{"-r", good, "-w", filepath.Join(dir, "no/such/dir/out.pcap")}, "no such file or directory"},
		{[]string{"-r", filepath.Join(dir, "missing.pcap")}, "no such file or directory"},
		{[]string{"-r", corrupt}, "corrupt capture file"},
		{[]string{"-r", notPcap}, "not a pcap or pcapng file"},
		{[]string{"-c", "-1"}, "bad count -1"},
		{[]string{"-s", "-1"}, "bad snap length -1"},
		{[]string{"--duration", "-1s"}, `invalid value "-1s" for flag -duration: want seconds (0.5) or a duration (500ms), 0, or at least 0.000001s`},
		{[]string{"--duration", "1e-12"}, `invalid value "1e-12" for flag -duration: want seconds (0.5) or a duration (500ms), 0, or at least 0.000001s`},
		{[]string{"-r", good, "-w", good}, "same file"},
	} {
		code, _, errs := clitest.Run(t, New(noDrop()), tc.args...)
		if code != cli.ExitError || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 ||
			!strings.HasPrefix(errs, "rawkit capture: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tc.args, code, errs, tc.want)
		}
	}
	// A flag error prints the usage and exits 2, as every command does.
	if code, _, _ := clitest.Run(t, New(noDrop()), "-x"); code != cli.ExitError {
		t.Errorf("-x: exit %d", code)
	}
}

func TestAppendClock(t *testing.T) {
	t.Parallel()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6789, time.Local)
	if got := string(appendClock(nil, ts)); got != "03:04:05.000006 " {
		t.Errorf("%q", got)
	}
	ts = time.Date(2024, 1, 2, 23, 59, 59, 999999999, time.Local)
	if got, want := string(appendClock(nil, ts)), fmt.Sprintf("%s ", ts.Format("15:04:05.000000")); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestCaptureStdinStdout: "-r -" reads standard input and "-w -" writes
// the file to standard output, so that captures can be piped.
func TestCaptureStdinStdout(t *testing.T) {
	t.Parallel()
	_, file := pcapFile(t, 4)
	var out, errb bytes.Buffer
	code := New(noDrop()).Run(context.Background(), &cli.Stdio{In: bytes.NewReader(file), Out: &out, Err: &errb},
		[]string{"-r", "-", "-w", "-", "--pcapng", "icmp[0] == 8"})
	if code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rd, err := rcapture.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		if _, _, err := rd.ReadPacket(); err != nil {
			break
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d packets on stdout, want 2", n)
	}
}

// TestCaptureBadFlag: an unknown flag is one line naming it, status 2,
// nothing on standard output.
func TestCaptureBadFlag(t *testing.T) {
	t.Parallel()
	code, out, errOut := clitest.Run(t, New(noDrop()), "-no-such-flag")
	if code != cli.ExitError || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "-no-such-flag") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line naming the flag", code, out, errOut)
	}
}

// noDrop keeps the test process's privileges: the commands the tests run
// in memory must not drop them for the rest of the tests.
func noDrop() *Env { return &Env{DropPrivileges: func() error { return nil }} }
