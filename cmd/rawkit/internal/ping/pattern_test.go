//go:build go1.25

package ping

import (
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/internal/checksum"
)

func TestParsePattern(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ff00": "\xff\x00", "abc": "\xab\x0c", "7": "\x07",
		"0102030405060708090a0b0c0d0e0f10": "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
	} {
		got, err := parsePattern(in)
		if err != nil || string(got) != want {
			t.Errorf("parsePattern(%q) = %x, %v; want %x", in, got, err, want)
		}
	}
	for _, in := range []string{"", "zz", "ag", "0x10", "0102030405060708090a0b0c0d0e0f1011"} {
		if _, err := parsePattern(in); err == nil || !strings.Contains(err.Error(), `"`+in+`"`) {
			t.Errorf("parsePattern(%q): error %v, want one naming the value", in, err)
		}
	}
}

// TestPingPattern: the requests carry the pattern past the run's own
// 12 bytes; a reply whose payload differs gets iputils' "wrong data
// byte" report (ping_common.c: the first wrong byte, then the payload
// from byte 16, 32 bytes a line), an intact one none.
func TestPingPattern(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		conn := icmptest.NewConn(func(b []byte, dst netip.Addr) []icmptest.Delivery {
			r := icmptest.EchoReply(b)
			if icmptest.Seq(b) == 2 {
				r[8+20] ^= 0x01 // payload byte 20
				r[2], r[3] = 0, 0
				c := checksum.Checksum(r)
				r[2], r[3] = byte(c>>8), byte(c)
			}
			return []icmptest.Delivery{{After: 100 * time.Microsecond, Msg: icmp.Message{Data: r, Src: dst, TTL: 64}}}
		}, nil)
		code, out, errOut := runPingFake(t, conn, "-c", "2", "-p", "ff00", "-s", "40", "127.0.0.1")
		if code != cli.ExitOK || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		sent := conn.Sent()
		if len(sent) != 2 {
			t.Fatalf("%d requests sent, want 2", len(sent))
		}
		for _, p := range sent {
			payload := p.Data[8:]
			for i := 12; i < len(payload); i++ {
				if want := []byte{0xff, 0x00}[i%2]; payload[i] != want {
					t.Fatalf("request payload byte %d is %#x, want %#x: % x", i, payload[i], want, payload)
				}
			}
		}
		want := "PATTERN: 0xff00\n" +
			"PING 127.0.0.1 (127.0.0.1) 40(68) bytes of data.\n" +
			"48 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.100 ms\n" +
			"48 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.100 ms\n" +
			"wrong data byte #20 should be 0xff but was 0xfe\n" +
			"#16\tff 0 ff 0 fe 0 ff 0 ff 0 ff 0 ff 0 ff 0 ff 0 ff 0 ff 0 ff 0 \n"
		if !strings.HasPrefix(out, want) {
			t.Errorf("output:\n%s\nwant it to start with:\n%s", out, want)
		}
	})
}
