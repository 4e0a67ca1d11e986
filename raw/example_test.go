package raw_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"
	"time"

	"github.com/rawkit/rawkit/raw"
	"golang.org/x/net/icmp"
	"golang.org/x/net/ipv4"
)

// Ping a host from a raw ICMP socket, then read the reply with its
// metadata. Needs CAP_NET_RAW.
func ExampleListenIPv4() {
	f := &ipv4.ICMPFilter{}
	f.SetAll(true)
	f.Accept(ipv4.ICMPTypeEchoReply)
	c, err := raw.ListenIPv4(1, &raw.Config{Timestamps: true, ICMPFilter: f})
	if errors.Is(err, os.ErrPermission) {
		log.Fatal(err) // the message says: sudo, or setcap cap_net_raw+ep
	}
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	req, _ := (&icmp.Message{Type: ipv4.ICMPTypeEcho, Body: &icmp.Echo{ID: 7, Seq: 1, Data: []byte("hi")}}).Marshal(nil)
	dst := netip.MustParseAddr("127.0.0.1")
	if _, err := c.WriteToAddr(context.Background(), req, dst); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	buf := make([]byte, 1500)
	m, err := c.ReadMsg(ctx, buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes from %v: ttl=%d, received %v\n", len(m.Data), m.Src, m.TTL, m.Received)
}

// Send whole IPv4 packets, header included, many per system call.
func ExampleConn_WriteBatch() {
	c, err := raw.ListenIPv4(255, &raw.Config{HeaderIncluded: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var pkts [][]byte // IPv4 packets, built with package craft
	n, err := c.WriteBatch(context.Background(), pkts, netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		log.Fatalf("sent %d of %d: %v", n, len(pkts), err)
	}
}

// A ping socket needs no privilege, only a group inside
// net.ipv4.ping_group_range; the kernel picks the echo identifier.
func ExampleListenPing() {
	c, err := raw.ListenPing(&raw.Config{TTL: 64})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("echo identifier", c.LocalPort())
}

// Open every socket first, then give up root for good.
func ExampleDropPrivileges() {
	c, err := raw.ListenIPv4(1, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := raw.DropPrivileges(); err != nil {
		log.Fatal(err)
	}
	// c still sends and receives; nothing new can be opened.
}

// Bad input is an error naming the value, made before any system call.
func ExampleConfig() {
	_, err := raw.ListenIPv4(1, &raw.Config{TTL: 300})
	fmt.Println(err)
	fmt.Println(errors.Is(err, os.ErrInvalid))
	// Output:
	// raw: TTL 300 out of range 0-255
	// true
}

func ExampleDFMode_String() {
	fmt.Println(raw.DFDo, raw.DFDont, raw.DFWant, raw.DFDefault)
	// Output: do dont want default
}
