//go:build linux && privileged

package ping

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// runBoth runs cmd and returns its stdout, stderr and exit status.
func runBoth(t *testing.T, cmd *exec.Cmd) (string, string, int) {
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
	return out.String(), errb.String(), code
}

// localErrorLines keeps the lines of a ping's stderr that report local
// errors, without the program's name.
func localErrorLines(stderr, prog string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if rest, ok := strings.CutPrefix(l, prog+": "); ok && strings.HasPrefix(rest, "local error") {
			out = append(out, rest)
		}
	}
	return out
}

// TestPingMessageTooLong: over a link with a 1280-byte MTU, requests
// that do not fit are refused locally with -M do, reported and counted
// as iputils does (its text on stderr, "+N errors", exit 1), and never
// reach the wire; requests that just fit go and come back. rawkit and
// iputils ping run side by side, IPv4 and IPv6.
func TestPingMessageTooLong(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Link.SetMTU(ctx, 1280); err != nil {
		t.Fatal(err)
	}
	for _, fam := range []struct {
		name      string
		flag      string
		dst       string
		hdr       int // IP and ICMP headers: the size that just fits is 1280-hdr
		wantError string
	}{
		{"IPv4", "-4", p.B.Addr().String(), 28, "local error: message too long, mtu=1280"},
		{"IPv6", "-6", p.B.Addr6().String(), 48, "local error: message too long, mtu: 1280"},
	} {
		t.Run(fam.name, func(t *testing.T) {
			s := netlabtest.Sniff(t, p.B, p.BIf, "icmp or icmp6")
			fits := strconv.Itoa(1280 - fam.hdr)
			tooLong := strconv.Itoa(1280 - fam.hdr + 1)
			type result struct {
				out, stderr string
				code        int
			}
			runs := map[string]result{}
			for _, prog := range []string{"rawkit ping", "ping"} {
				for _, size := range []string{tooLong, fits} {
					args := []string{fam.flag, "-M", "do", "-s", size, "-c", "3", "-i", "0.2", "-W", "1", fam.dst}
					cmd := p.A.Command(ctx, "ping", args...)
					if prog == "rawkit ping" {
						cmd = rawkitProc(ctx, p.A, append([]string{"ping"}, args...)...)
					}
					out, stderr, code := runBoth(t, cmd)
					runs[prog+" "+size] = result{out, stderr, code}
				}
			}
			for _, prog := range []string{"rawkit ping", "ping"} {
				r := runs[prog+" "+tooLong]
				tx, rx, _, errs := pingSummaryOf(t, r.out)
				if tx != 3 || rx != 0 || errs != 3 || r.code != 1 {
					t.Errorf("%s -s %s: %d sent, %d received, +%d errors, exit %d; want 3, 0, +3, exit 1:\n%s%s",
						prog, tooLong, tx, rx, errs, r.code, r.out, r.stderr)
				}
				want := []string{fam.wantError, fam.wantError, fam.wantError}
				if got := localErrorLines(r.stderr, prog); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s -s %s: local errors %q, want %q (stderr %q)", prog, tooLong, got, want, r.stderr)
				}
				r = runs[prog+" "+fits]
				tx, rx, _, errs = pingSummaryOf(t, r.out)
				if tx != 3 || rx != 3 || errs != 0 || r.code != 0 {
					t.Errorf("%s -s %s: %d sent, %d received, +%d errors, exit %d; want 3, 3, none, exit 0:\n%s%s",
						prog, fits, tx, rx, errs, r.code, r.out, r.stderr)
				}
			}
			// B's capture: the requests that fit arrived, 1280 bytes
			// each, three from each program; none longer.
			var full, longer int
			for _, pk := range s.Stop() {
				b := pk.Network()
				var size int
				switch {
				case len(b) >= 28 && b[0]>>4 == 4 && b[9] == 1 && b[int(b[0]&15)*4] == 8:
					size = int(b[2])<<8 | int(b[3])
				case len(b) >= 48 && b[0]>>4 == 6 && b[6] == 58 && b[40] == 128:
					size = 40 + (int(b[4])<<8 | int(b[5]))
				default:
					continue // echo requests only
				}
				switch {
				case size == 1280:
					full++
				case size > 1280:
					longer++
				}
			}
			if full != 6 || longer != 0 {
				t.Errorf("B's capture saw %d echo requests of 1280 bytes and %d longer, want 6 and 0", full, longer)
			}
		})
	}
}
