//go:build privileged

package raw

import (
	"context"
	"net/netip"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// BenchmarkEchoRoundTrip sends an ICMP echo request to the loopback of a
// fresh namespace and reads the kernel's reply, with timestamps and a
// type filter that passes only replies, as a ping does: "v4" over
// 127.0.0.1 and "v6" over ::1, side by side in one run, so that the
// IPv6 path can be held to the IPv4 one's figure.
func BenchmarkEchoRoundTrip(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	var f4 ipv4.ICMPFilter
	f4.SetAll(true)
	f4.Accept(ipv4.ICMPTypeEchoReply)
	var f6 ipv6.ICMPFilter
	f6.SetAll(true)
	f6.Accept(ipv6.ICMPTypeEchoReply)
	for _, tt := range []struct {
		name string
		dst  netip.Addr
		open func() (*Conn, error)
		req  []byte
	}{
		{"v4", netip.MustParseAddr("127.0.0.1"), func() (*Conn, error) {
			return ListenIPv4(1, &Config{Timestamps: true, ICMPFilter: &f4})
		}, []byte{8, 0, 0xf7, 0xfd, 0, 1, 0, 1}}, // checksum of the 8-byte request
		{"v6", netip.MustParseAddr("::1"), func() (*Conn, error) {
			return ListenIPv6(58, &Config{Timestamps: true, ICMP6Filter: &f6})
		}, echo6Request(1, 1, "")},
	} {
		var c *Conn
		if err := h.Do(func() (err error) { c, err = tt.open(); return err }); err != nil {
			b.Fatal(err)
		}
		b.Run(tt.name, func(b *testing.B) {
			ctx := context.Background()
			buf := make([]byte, 1500)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := c.WriteToAddr(ctx, tt.req, tt.dst); err != nil {
					b.Fatal(err)
				}
				if _, err := c.ReadMsg(ctx, buf); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, b.N, cpuTime()-cpu0)
		})
		c.Close()
	}
}
