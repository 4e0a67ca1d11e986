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

// A Monitor probing two loopback targets ten times a second for a
// second (it needs CAP_NET_RAW or a group in net.ipv4.ping_group_range),
// its totals then read as a scrape would; Stats is safe while it runs.
func ExampleMonitor() {
	s, err := echo.Listen(&echo.ListenConfig{ReceiveBuffer: 4 << 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Conn.Close()
	m, err := echo.NewMonitor([]echo.Socket{*s}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range []string{"127.0.0.1", "127.0.0.2"} {
		_, err := m.Add(echo.MonitorTarget{Addr: netip.MustParseAddr(a), Interval: 100 * time.Millisecond,
			Handler: func(e *echo.Event) {
				if e.Kind == echo.EventReply {
					fmt.Println(e.Dst, e.Probe, e.RTT)
				}
			}})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	go m.Run(ctx) //nolint:errcheck // ends with ctx
	<-ctx.Done()
	st := m.Stats()
	fmt.Println(st.Sent, st.Replies, st.Lost)
}
