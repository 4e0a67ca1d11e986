//go:build go1.25

package ping

import (
	"bufio"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

func TestPingDuplicatesGolden(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := icmp.Message{Data: icmptest.EchoReply(b), Src: dst, TTL: 61}
			return []icmptest.Delivery{{After: 100 * time.Microsecond, Msg: r}, {After: 150 * time.Microsecond, Msg: r}}
		}, nil)
		code, out, _ := runPingFake(t, c, "-c", "2", "-i", "0.2", "10.0.9.2")
		want := "PING 10.0.9.2 (10.0.9.2) 56(84) bytes of data.\n" +
			"64 bytes from 10.0.9.2: icmp_seq=1 ttl=61 time=0.100 ms\n" +
			"64 bytes from 10.0.9.2: icmp_seq=1 ttl=61 time=0.150 ms (DUP!)\n" +
			"64 bytes from 10.0.9.2: icmp_seq=2 ttl=61 time=0.100 ms\n" +
			"\n--- 10.0.9.2 ping statistics ---\n" +
			"2 packets transmitted, 2 received, +1 duplicates, 0% packet loss, time 200ms\n" +
			"rtt min/avg/max/mdev = 0.100/0.116/0.150/0.023 ms\n"
		if code != cli.ExitOK || out != want {
			t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out, want)
		}
	})
}

func TestPingLossExitAndOutstanding(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if icmptest.Seq(b) == 2 {
				return nil
			}
			return icmptest.ReplyAfter(time.Millisecond)(b, dst)
		}, nil)
		code, out, _ := runPingFake(t, c, "-O", "-c", "3", "-i", "0.2", "127.0.0.1")
		for _, line := range []string{
			"no answer yet for icmp_seq=2\n",
			"3 packets transmitted, 2 received, 33.3333% packet loss, time 400ms\n",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		if code != cli.ExitOK {
			t.Errorf("exit %d", code)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func([]byte, netip.Addr) []icmptest.Delivery { return nil }, nil)
		code, out, _ := runPingFake(t, c, "-c", "2", "-W", "1", "-i", "0.2", "127.0.0.1")
		if code != cli.ExitNoReply || !strings.Contains(out, "2 packets transmitted, 0 received, 100% packet loss") {
			t.Errorf("exit %d, output:\n%s", code, out)
		}
	})
}

func TestPingSweepText(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		dead := netip.MustParseAddr("127.0.0.3")
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			if dst == dead {
				return nil
			}
			return icmptest.ReplyAfter(30*time.Microsecond)(b, dst)
		}, nil)
		code, out, _ := runPingFake(t, c, "-c", "1", "-W", "1", "127.0.0.0/29")
		for _, line := range []string{
			"PING 6 targets 56(84) bytes of data.\n",
			"64 bytes from 127.0.0.6: icmp_seq=6 ttl=64 time=0.030 ms\n",
			"127.0.0.3 : xmt/rcv/%loss = 1/0/100%\n",
			"127.0.0.1 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.030/0.030/0.030\n",
			"5 alive, 1 unreachable\n",
			"6 packets transmitted, 5 received, 16.6667% packet loss",
		} {
			if !strings.Contains(out, line) {
				t.Errorf("no %q in:\n%s", line, out)
			}
		}
		if code != cli.ExitNoReply {
			t.Errorf("exit %d with a target unreachable", code)
		}
	})
}

func TestPingJSON(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			switch icmptest.Seq(b) {
			case 1:
				return icmptest.ReplyAfter(250*time.Microsecond)(b, dst)
			case 2:
				return errorAfter(time.Millisecond, 11, 0)(b, dst)
			}
			return nil
		}, nil)
		code, out, _ := runPingFake(t, c, "--json", "-c", "3", "-W", "1", "-i", "0.2", "127.0.0.1")
		if code != cli.ExitOK {
			t.Errorf("exit %d", code)
		}
		var types []string
		var last map[string]any
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("not JSON: %q: %v", sc.Text(), err)
			}
			types = append(types, m["type"].(string))
			last = m
			if m["type"] == "reply" && (m["rtt_ms"] != 0.25 || m["seq"] != 1.0 || m["ttl"] != 64.0) {
				t.Errorf("reply %v", m)
			}
			if m["type"] == "error" && (m["message"] != "Time to live exceeded" || m["from"] != "10.77.1.1" || m["icmp_type"] != 11.0) {
				t.Errorf("error %v", m)
			}
		}
		if got := strings.Join(types, ","); got != "reply,error,lost,summary" {
			t.Errorf("events %s", got)
		}
		if last["transmitted"] != 3.0 || last["received"] != 1.0 || last["errors"] != 1.0 || last["lost"] != 2.0 ||
			last["alive"] != 1.0 || last["schema"] != 1.0 || last["mode"] != "raw" {
			t.Errorf("summary %v", last)
		}
	})
}
