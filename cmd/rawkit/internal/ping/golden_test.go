//go:build go1.25

package ping

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

var (
	routerAddr  = netip.MustParseAddr("10.77.1.1")
	clientAddr  = netip.MustParseAddr("10.77.1.2")
	routerAddr6 = netip.MustParseAddr("fd00:0:0:1::2")
	clientAddr6 = netip.MustParseAddr("fd00:0:0:1::1")
)

// pingCase is one situation iputils ping was recorded in
// (testdata/iputils/NAME.txt: its stdout, then its exit status),
// replayed through rawkit ping over an in-memory network.
type pingCase struct {
	name   string
	args   []string
	script func(b []byte, dst netip.Addr) []icmptest.Delivery
}

func errorAfter(d time.Duration, typ, code int) func([]byte, netip.Addr) []icmptest.Delivery {
	return func(b []byte, dst netip.Addr) []icmptest.Delivery {
		client, router := clientAddr, routerAddr
		if dst.Is6() {
			client, router = clientAddr6, routerAddr6
		}
		m := icmptest.ErrorFor(typ, code, client, dst, b, -1)
		return []icmptest.Delivery{{After: d, Msg: icmp.Message{Data: m, Src: router, TTL: 64}}}
	}
}

var pingCases = []pingCase{
	{"replies", []string{"-c", "3", "-i", "0.2", "127.0.0.1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"quiet", []string{"-q", "-c", "3", "-i", "0.2", "127.0.0.1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"timestamps", []string{"-D", "-c", "2", "-i", "0.2", "127.0.0.1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"small", []string{"-c", "2", "-i", "0.2", "-s", "10", "127.0.0.1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"ttl-exceeded", []string{"-c", "2", "-i", "0.2", "-t", "1", "10.77.2.2"}, errorAfter(80*time.Microsecond, 11, 0)},
	// ARP gives up after about 3 s: all three errors come after the last probe.
	{"unreachable", []string{"-c", "3", "-i", "0.2", "10.77.2.9"}, func(b []byte, dst netip.Addr) []icmptest.Delivery {
		return errorAfter(3*time.Second-time.Duration(icmptest.Seq(b))*200*time.Millisecond, 3, 1)(b, dst)
	}},
	{"flood", []string{"-f", "-c", "500", "127.0.0.1"}, icmptest.ReplyAfter(5 * time.Microsecond)},
	{"preload", []string{"-c", "2", "-l", "3", "127.0.0.1"}, icmptest.ReplyAfter(5 * time.Microsecond)},
	// IPv6, recorded on ::1 and across one router in a namespace pair.
	{"replies6", []string{"-c", "3", "-i", "0.2", "::1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"small6", []string{"-c", "2", "-i", "0.2", "-s", "10", "::1"}, icmptest.ReplyAfter(45 * time.Microsecond)},
	{"hop-limit6", []string{"-c", "2", "-i", "0.2", "-t", "1", "fd00:0:0:2::2"}, errorAfter(80*time.Microsecond, 3, 0)},
	// Neighbour discovery gives up after about 3 s, as ARP does.
	{"unreachable6", []string{"-c", "3", "-i", "0.2", "fd00:0:0:2::9"}, func(b []byte, dst netip.Addr) []icmptest.Delivery {
		return errorAfter(3*time.Second-time.Duration(icmptest.Seq(b))*200*time.Millisecond, 1, 3)(b, dst)
	}},
}

// pingLocalErrorCases were recorded with iputils in a namespace pair
// whose link MTU is 1500: -M do -s 2000 makes every write fail with
// EMSGSIZE. Their stderr is recorded too (NAME.stderr).
var pingLocalErrorCases = []pingCase{
	{"too-long", []string{"-M", "do", "-s", "2000", "-c", "3", "-i", "0.2", "10.77.1.1"}, noReply},
	{"too-long6", []string{"-6", "-M", "do", "-s", "2000", "-c", "3", "-i", "0.2", "fd00:0:0:1::2"}, noReply},
	{"too-long-quiet", []string{"-q", "-M", "do", "-s", "2000", "-c", "3", "-i", "0.2", "10.77.1.1"}, noReply},
	{"too-long-flood", []string{"-f", "-M", "do", "-s", "2000", "-c", "3", "10.77.1.1"}, noReply},
	// With -w the first error ends the run; under -q a local error is no
	// error, and probes go on until the deadline.
	{"too-long-deadline", []string{"-w", "2", "-M", "do", "-s", "2000", "10.77.1.1"}, noReply},
	{"too-long-deadline-quiet", []string{"-q", "-w", "1", "-i", "0.2", "-M", "do", "-s", "2000", "10.77.1.1"}, noReply},
}

func noReply([]byte, netip.Addr) []icmptest.Delivery { return nil }

// runPingFake runs rawkit ping with args over conn in the current bubble.
func runPingFake(t *testing.T, conn echo.Conn, args ...string) (int, string, string) {
	t.Helper()
	ping := New(&Env{
		Resolver: clitest.NoDNS(), // no name server is asked
		Listen: func(cfg *echo.ListenConfig) (*echo.Socket, error) {
			return &echo.Socket{Conn: conn, ID: 0x1234, Mode: echo.ModeRaw, IPv6: cfg.IPv6}, nil
		},
		DropPrivileges: func() error { return nil },
		NotifyQuit:     func() (<-chan os.Signal, func()) { return nil, func() {} },
		// The recordings' namespaces had routes this host may lack.
		Route: func(dst, src netip.Addr) error { return nil },
	})
	return clitest.Run(t, ping, args...)
}

var digits = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

// shape masks numbers: times, addresses and counts vary, the text does not.
func shape(s string) string { return digits.ReplaceAllString(s, "N") }

func TestPingMatchesIputils(t *testing.T) {
	t.Parallel()
	if !isRoot() {
		t.Skip("the recordings use -f and -l, which iputils allows root only")
	}
	for _, tc := range append(pingCases, pingLocalErrorCases...) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, err := os.ReadFile(filepath.Join("testdata", "iputils", tc.name+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			body := strings.TrimSuffix(string(rec), "\n")
			i := strings.LastIndexByte(body, '\n')
			wantOut, wantCode := body[:i+1], body[i+1:]
			synctest.Test(t, func(t *testing.T) {
				wantErr, err := os.ReadFile(filepath.Join("testdata", "iputils", tc.name+".stderr"))
				var cfg *icmptest.Config
				if err == nil {
					cfg = &icmptest.Config{MTU: 1500}
				}
				conn := icmptest.NewConn(tc.script, cfg)
				code, out, errOut := runPingFake(t, conn, tc.args...)
				if wantErr != nil {
					// iputils names itself "ping:", rawkit "rawkit ping:".
					if want := strings.ReplaceAll(string(wantErr), "ping: ", "rawkit ping: "); errOut != want {
						t.Errorf("stderr differs from iputils':\n--- rawkit\n%s\n--- iputils\n%s", errOut, wantErr)
					}
				}
				if strconv.Itoa(code) != wantCode {
					t.Errorf("exit %d, iputils %s (stderr %q)", code, wantCode, errOut)
				}
				if shape(out) != shape(wantOut) {
					t.Errorf("output differs from iputils' in shape:\n--- rawkit\n%s\n--- iputils\n%s", out, wantOut)
				}
				golden := filepath.Join("testdata", tc.name+".golden")
				if *update {
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if out != string(want) {
					t.Errorf("output differs from %s:\n--- got\n%q\n--- want\n%q", golden, out, want)
				}
			})
		})
	}
}
