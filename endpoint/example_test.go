package endpoint_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rawkit/rawkit/endpoint"
)

func ExampleParseMode() {
	m, err := endpoint.ParseMode("CHARGEN")
	fmt.Println(m, err)
	_, err = endpoint.ParseMode("time")
	fmt.Println(err)
	// Output:
	// chargen <nil>
	// endpoint: unknown mode "time" (want echo, discard, chargen, daytime or fixed)
}

func ExampleChargenLine() {
	fmt.Printf("%q\n", endpoint.ChargenLine(0))
	fmt.Printf("%q\n", endpoint.ChargenLine(94))
	// Output:
	// " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n"
	// "~ !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdef\r\n"
}

func ExampleDaytimeString() {
	t := time.Date(1982, time.February, 22, 17, 37, 43, 0, time.FixedZone("PST", -8*3600))
	fmt.Printf("%q\n", endpoint.DaytimeString(t))
	// Output:
	// "Monday, February 22, 1982 17:37:43-PST\r\n"
}

// A TCP echo server on a free loopback port, measured with EchoTest.
func ExampleEchoTest() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := endpoint.Listen(ctx, "tcp", "127.0.0.1:0", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error)
	go func() { done <- s.Serve(ctx) }()
	rep, err := endpoint.EchoTest(ctx, "tcp", s.Addr().String(), &endpoint.EchoConfig{Messages: 100, Concurrency: 4})
	fmt.Println(rep.RoundTrips, rep.Mismatches, rep.OK(), err)
	cancel()
	fmt.Println(<-done, s.Stats().BytesOut)
	// Output:
	// 400 0 true <nil>
	// <nil> 25600
}
