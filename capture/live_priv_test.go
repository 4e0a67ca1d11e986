//go:build linux && privileged

package capture_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

func icmpOf(p capture.Packet) (typ byte, id, seq uint16, ok bool) {
	d := p.Data
	if p.LinkType != capture.LinkEthernet || len(d) < 14+20+8 || binary.BigEndian.Uint16(d[12:]) != 0x0800 || d[14+9] != 1 {
		return 0, 0, 0, false
	}
	ic := d[14+int(d[14]&0xf)*4:]
	return ic[0], binary.BigEndian.Uint16(ic[4:]), binary.BigEndian.Uint16(ic[6:]), true
}

// TestLoopbackSeesEachPacketOnce: on lo the kernel shows every packet to
// packet sockets twice (leaving and arriving); a capture must report
// each request and each reply exactly once, as it left.
func TestLoopbackSeesEachPacketOnce(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	// An unusual size keeps other tests' pings on lo out of the count.
	col, err := capture.Collect("lo", &capture.Config{Filter: "icmp and ip[2:2] == 89"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ping, "-n", "-c", "3", "-i", "0.2", "-s", "61", "127.0.0.1").CombinedOutput()
	pkts, st, serr := col.Stop()
	if err != nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	seen := map[[2]uint16]int{}
	for _, p := range pkts {
		typ, _, seq, ok := icmpOf(p)
		if !ok {
			t.Fatalf("filter icmp let through %x", p.Data)
		}
		seen[[2]uint16{uint16(typ), seq}]++
	}
	for seq := uint16(1); seq <= 3; seq++ {
		for _, typ := range []uint16{8, 0} {
			if n := seen[[2]uint16{typ, seq}]; n != 1 {
				t.Errorf("ICMP type %d seq %d seen %d times, want once", typ, seq, n)
			}
		}
	}
	if len(pkts) != 6 || st.Received != 6 || st.Dropped != 0 {
		t.Errorf("%d packets, stats %+v; want 6 received, 0 dropped", len(pkts), st)
	}
}

// TestNamespaceCapture: a capture on B's interface in B's namespace sees
// exactly what tcpdump (the independent oracle) sees of A pinging B.
func TestNamespaceCapture(t *testing.T) {
	netlabtest.Privileged(t)
	netlabtest.NeedTool(t, "tcpdump")
	ping := netlabtest.NeedTool(t, "ping")
	p := netlabtest.NewPair(t)
	oracle := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	var col *capture.Collector
	if err := p.B.Do(func() (err error) {
		col, err = capture.Collect(p.BIf, &capture.Config{Filter: "icmp"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := p.A.Run(ctx, ping, "-n", "-c", "3", "-i", "0.2", p.B.Addr().String()); err != nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	got, st, err := col.Stop()
	if err != nil {
		t.Fatal(err)
	}
	want := oracle.Stop()
	if len(got) != 6 || len(want) != 6 || st.Dropped != 0 {
		t.Fatalf("rawkit saw %d packets (stats %+v), tcpdump %d; want 6 each", len(got), st, len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, want[i].Data) || got[i].Length != want[i].Length {
			t.Errorf("packet %d: rawkit %x, tcpdump %x", i, got[i].Data, want[i].Data)
		}
		if d := got[i].Timestamp.Sub(want[i].Timestamp); d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("packet %d: time stamps differ by %v", i, d)
		}
		typ, _, _, _ := icmpOf(got[i])
		if wantTyp := byte(8 - 8*(i%2)); typ != wantTyp {
			t.Errorf("packet %d is ICMP type %d, want %d", i, typ, wantTyp)
		}
	}
}

// TestFilterBeforeBind: with traffic flowing while sockets open, a capture
// never returns a packet its filter rejects (the filter is attached
// before bind(2) queues anything).
func TestFilterBeforeBind(t *testing.T) {
	netlabtest.Privileged(t)
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, _ = conn.WriteTo([]byte("x"), conn.LocalAddr())
		}
	}()
	defer func() { close(stop); <-done }()
	for i := 0; i < 20; i++ {
		col, err := capture.Collect("lo", &capture.Config{Filter: "icmp"})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
		pkts, _, err := col.Stop()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkts {
			if _, _, _, ok := icmpOf(p); !ok {
				t.Fatalf("round %d: a non-ICMP packet got through: %x", i, p.Data)
			}
		}
	}
}

func TestDeadlineContextClose(t *testing.T) {
	netlabtest.Privileged(t)
	c, err := capture.Listen("lo", &capture.Config{Filter: "udp port 9 and host 127.0.0.254"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.ReadPacket(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("read with expired context: %v", err)
	}
	if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ReadPacket(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read past deadline: %v", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.ReadPacket(context.Background())
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("read after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not unblock the read")
	}
}

func TestSnapLenAndPromiscuous(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	p := netlabtest.NewPair(t)
	var col *capture.Collector
	if err := p.B.Do(func() (err error) {
		col, err = capture.Collect(p.BIf, &capture.Config{Filter: "icmp", SnapLen: 64, Promiscuous: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	link, err := p.B.Run(ctx, "ip", "-d", "link", "show", p.BIf)
	if err != nil || !strings.Contains(string(link), "promiscuity 1") {
		t.Errorf("interface not promiscuous while capturing: %v\n%s", err, link)
	}
	if out, err := p.A.Run(ctx, ping, "-n", "-c", "1", "-s", "200", p.B.Addr().String()); err != nil {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	pkts, _, err := col.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 2 {
		t.Fatalf("%d packets, want 2", len(pkts))
	}
	for _, pk := range pkts {
		if len(pk.Data) != 64 || pk.Length != 14+20+8+200 {
			t.Errorf("captured %d of %d bytes, want 64 of %d", len(pk.Data), pk.Length, 14+20+8+200)
		}
	}
	link, _ = p.B.Run(ctx, "ip", "-d", "link", "show", p.BIf)
	if !strings.Contains(string(link), "promiscuity 0") {
		t.Errorf("interface still promiscuous after Close:\n%s", link)
	}
}

// TestAnyCookedHeaders: on "any" packets get a LINUX_SLL2 header, the
// kernel program (SOCK_DGRAM, no link header) selects what the same
// filter selects in user space on the cooked packets, and "len" counts
// the cooked header in both.
func TestAnyCookedHeaders(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	// IP length 89 (ping -s 61), so 109 bytes with the 20-byte SLL2 header.
	const expr = "icmp and ip[2:2] == 89 and greater 109 and less 109"
	col, err := capture.Collect("any", &capture.Config{Filter: expr})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ping, "-n", "-c", "2", "-i", "0.2", "-s", "61", "127.0.0.1").CombinedOutput()
	pkts, st, serr := col.Stop()
	if err != nil || serr != nil {
		t.Fatalf("ping: %v %s; capture: %v", err, out, serr)
	}
	if len(pkts) != 4 || st.Dropped != 0 {
		t.Fatalf("%d packets (stats %+v), want 4: requests and replies once each", len(pkts), st)
	}
	flt, err := filter.New(expr, capture.LinkLinuxSLL2)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		d := p.Data
		if p.LinkType != capture.LinkLinuxSLL2 || len(d) != 109 || p.Length != 109 {
			t.Fatalf("packet %d: link %v, %d of %d bytes", i, p.LinkType, len(d), p.Length)
		}
		if proto, ifindex, hatype, pkttype := binary.BigEndian.Uint16(d), binary.BigEndian.Uint32(d[4:]),
			binary.BigEndian.Uint16(d[8:]), d[10]; proto != 0x0800 || int(ifindex) != lo.Index || hatype != 772 || pkttype != 4 /* PACKET_OUTGOING: the leaving copy on lo */ {
			t.Errorf("packet %d: SLL2 header %x", i, d[:20])
		}
		if !bytes.Equal(d[20:24], []byte{0x45, 0, 0, 89}) {
			t.Errorf("packet %d: IP header %x", i, d[20:40])
		}
		if !flt.Match(d, p.Length) {
			t.Errorf("packet %d: the user-space filter rejects what the kernel kept", i)
		}
	}
}

// TestCancelUnderSteadyTraffic: a reader slower than the traffic stops
// at once when its context is cancelled, and Drain hands over only what
// the kernel had received before it was called, and returns while the
// traffic still flows.
func TestCancelUnderSteadyTraffic(t *testing.T) {
	netlabtest.Privileged(t)
	c, err := capture.Listen("lo", &capture.Config{Filter: "udp port 9 and host 127.0.0.253", BufferSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	u, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	// Bounded: at most 3 s and 300,000 datagrams.
	done := make(chan struct{})
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 253), Port: 9}
		end := time.Now().Add(3 * time.Second)
		for i := 0; i < 300000 && time.Now().Before(end); i++ {
			select {
			case <-done:
				return
			default:
			}
			_, _ = u.WriteTo([]byte("steady"), dst)
		}
	}()
	defer func() { close(done); <-sending }()
	slow := func() { time.Sleep(20 * time.Microsecond) }
	ctx, cancel := context.WithCancel(context.Background())
	read := 0
	for start := time.Now(); ; read++ {
		if time.Since(start) > 300*time.Millisecond {
			cancel()
			break
		}
		if _, _, err := c.ReadPacket(ctx); err != nil {
			t.Fatal(err)
		}
		slow()
	}
	if _, _, err := c.ReadPacket(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel with packets queued: %v, want context.Canceled", err)
	}
	stop := time.Now()
	drained, late := 0, 0
	err = c.Drain(func(_ []byte, ci gopacket.CaptureInfo) error {
		drained++
		if ci.Timestamp.After(stop) {
			late++
		}
		slow()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-sending:
		t.Fatalf("Drain returned only after the traffic ended (%d packets drained)", drained)
	default:
	}
	if late != 0 || read == 0 {
		t.Errorf("%d packets read, then %d drained, %d of them received after Drain was called; want none after", read, drained, late)
	}
	t.Logf("%d packets read, then %d drained", read, drained)
}
