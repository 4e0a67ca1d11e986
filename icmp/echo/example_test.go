package echo_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

// A run of three probes to one target. The socket here is icmptest's
// in-memory one, whose target answers after a millisecond; a real run
// takes the Conn of a Socket that Listen opened.
func ExampleNew() {
	c := icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)
	dst := netip.MustParseAddr("192.0.2.1")
	e, err := echo.New(c, 0x4242, []netip.Addr{dst}, &echo.Config{
		Count:    3,
		Interval: 10 * time.Millisecond,
		Handler: func(ev *echo.Event) {
			if ev.Kind == echo.EventReply {
				fmt.Printf("%d bytes from %v: icmp_seq=%d ttl=%d\n", ev.Bytes, ev.From, ev.Seq, ev.TTL)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Run(context.Background()); err != nil {
		log.Fatal(err)
	}
	s := e.Stats()
	fmt.Printf("%d transmitted, %d received, %.0f%% loss\n", s.Transmitted, s.Received, 100*s.Loss())
	// Output:
	// 64 bytes from 192.0.2.1: icmp_seq=1 ttl=64
	// 64 bytes from 192.0.2.1: icmp_seq=2 ttl=64
	// 64 bytes from 192.0.2.1: icmp_seq=3 ttl=64
	// 3 transmitted, 3 received, 0% loss
}
