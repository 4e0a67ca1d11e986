//go:build privileged

package echo

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// monitorHost is a namespace whose loopback has a second IPv6 address,
// fd00::2, and where ping sockets are open to every group.
func monitorHost(t testing.TB) *netlab.Host {
	t.Helper()
	h := netlabtest.NewHost(t)
	ctx := context.Background()
	if _, err := h.Run(ctx, "ip", "-6", "addr", "add", "fd00::2/128", "dev", "lo", "nodad"); err != nil {
		t.Fatal(err)
	}
	if err := h.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
		t.Fatal(err)
	}
	return h
}

func listenIn(t testing.TB, h *netlab.Host, cfg ListenConfig) *Socket {
	t.Helper()
	var s *Socket
	if err := h.Do(func() (err error) {
		s, err = Listen(&cfg)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Conn.Close() })
	return s
}

// capturedRequest is an echo request of ours seen on the wire.
type capturedRequest struct {
	src  netip.Addr
	tos  int
	size int
}

// monitorRequests returns the echo requests in pkts that carry tok.
func monitorRequests(pkts []netlab.Packet, tok Token) []capturedRequest {
	var out []capturedRequest
	for _, p := range pkts {
		b := p.Network()
		var r capturedRequest
		var icmpMsg []byte
		switch {
		case len(b) >= 20 && b[0]>>4 == 4 && b[9] == 1:
			hl := int(b[0]&0xf) * 4
			r.src, r.tos, icmpMsg = netip.AddrFrom4([4]byte(b[12:16])), int(b[1]), b[hl:]
			if len(icmpMsg) < 1 || icmpMsg[0] != 8 {
				continue
			}
		case len(b) >= 40 && b[0]>>4 == 6 && b[6] == 58:
			r.src, r.tos, icmpMsg = netip.AddrFrom16([16]byte(b[8:24])), int(b[0]&0xf)<<4|int(b[1]>>4), b[40:]
			if len(icmpMsg) < 1 || icmpMsg[0] != 128 {
				continue
			}
		default:
			continue
		}
		if len(icmpMsg) < echoHeaderLen+monitorHeaderLen || string(icmpMsg[8:16]) != string(tok[:]) {
			continue
		}
		r.size = len(icmpMsg) - echoHeaderLen
		out = append(out, r)
	}
	return out
}

// TestMonitorPerProbeTOSAndSource: two targets over one socket, one with
// its own TOS (traffic class) and source, one with neither; a capture on
// the loopback sees each probe with its own, on raw and ping sockets, over
// IPv4 and IPv6.
func TestMonitorPerProbeTOSAndSource(t *testing.T) {
	netlabtest.Privileged(t)
	for _, mode := range []Mode{ModeRaw, ModePing} {
		for _, v6 := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/v6=%v", mode, v6), func(t *testing.T) {
				h := monitorHost(t)
				dst, src, plain := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.1")
				filter := "icmp"
				if v6 {
					dst, src, plain, filter = netip.MustParseAddr("::1"), netip.MustParseAddr("fd00::2"), netip.MustParseAddr("::1"), "icmp6"
				}
				s := listenIn(t, h, ListenConfig{Mode: mode, IPv6: v6})
				if s.Mode != mode {
					t.Fatalf("Listen gave a %v socket", s.Mode)
				}
				sn := netlabtest.Sniff(t, h, "lo", filter)
				tok := Token{'t', 'o', 's', 1, 2, 3, 4, 5}
				m, err := NewMonitor([]Socket{*s}, &MonitorConfig{Token: &tok})
				if err != nil {
					t.Fatal(err)
				}
				if mode == ModePing && v6 {
					// Refused (see Monitor.address): the traffic class alone.
					if _, err := m.Add(MonitorTarget{Addr: dst, Size: 56, TOS: 0x28, Source: src}); err == nil || !strings.Contains(err.Error(), "cannot set a source") {
						t.Fatalf("Add with a source on an IPv6 ping socket: %v", err)
					}
				}
				withSrc := src
				if mode == ModePing && v6 {
					withSrc, src = netip.Addr{}, plain
				}
				if _, err := m.Add(MonitorTarget{Addr: dst, Interval: 50 * time.Millisecond, Size: 56, TOS: 0x28, Source: withSrc}); err != nil {
					t.Fatal(err)
				}
				if _, err := m.Add(MonitorTarget{Addr: dst, Interval: 50 * time.Millisecond, Size: 40}); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				m.Run(ctx)
				st := m.Stats()
				reqs := monitorRequests(sn.Stop(), tok)
				if len(reqs) != int(st.Sent) || st.Sent < 30 {
					t.Fatalf("%d requests captured, %d sent", len(reqs), st.Sent)
				}
				for _, r := range reqs {
					want := capturedRequest{src: src, tos: 0x28, size: 56}
					if r.size == 40 {
						want = capturedRequest{src: plain, tos: 0, size: 40}
					}
					if r != want {
						t.Errorf("request on the wire %+v, want %+v", r, want)
					}
				}
				if st.Replies+st.InFlight != st.Sent || st.Lost != 0 {
					t.Errorf("stats %+v", st)
				}
			})
		}
	}
}

// TestMonitorTwoMonitorsAndPing: two Monitors, whose raw sockets carry
// the same identifier and filter (so only the token tells their replies
// apart), a Monitor on a ping socket and iputils ping probe one host at
// once, on the loopback and across a netlab pair; each Monitor counts
// exactly its own replies, and (across the pair) a capture on the far
// side sees exactly the requests each Monitor says it sent.
func TestMonitorTwoMonitorsAndPing(t *testing.T) {
	netlabtest.Privileged(t)
	ping := netlabtest.NeedTool(t, "ping")
	t.Run("loopback", func(t *testing.T) {
		h := monitorHost(t)
		twoMonitorsAndPing(t, ping, h, netip.MustParseAddr("127.0.0.1"), nil)
	})
	t.Run("pair", func(t *testing.T) {
		p := netlabtest.NewPair(t)
		if err := p.A.Sysctl("net.ipv4.ping_group_range", "0 2147483647"); err != nil {
			t.Fatal(err)
		}
		sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
		twoMonitorsAndPing(t, ping, p.A, p.B.Addr(), sn)
	})
}

func twoMonitorsAndPing(t *testing.T, ping string, h *netlab.Host, dst netip.Addr, sn *netlabtest.Sniffer) {
	a := listenIn(t, h, ListenConfig{Mode: ModeRaw})
	b := listenIn(t, h, ListenConfig{Mode: ModeRaw})
	if err := b.Conn.(*rawConn).c.SetBPF(Filter(a.ID)); err != nil {
		t.Fatal(err)
	}
	b.ID = a.ID
	c := listenIn(t, h, ListenConfig{Mode: ModePing})
	var ms []*Monitor
	var toks []Token
	for i, s := range []*Socket{a, b, c} {
		tok := Token{'t', 'w', 'o', byte(i), 1, 2, 3, 4}
		m, err := NewMonitor([]Socket{*s}, &MonitorConfig{Token: &tok})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Add(MonitorTarget{Addr: dst, Interval: 10 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		ms, toks = append(ms, m), append(toks, tok)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := h.Command(ctx, ping, "-n", "-q", "-i", "0.01", "-c", "150", dst.String())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	for _, m := range ms {
		go func() { m.Run(ctx); done <- struct{}{} }()
	}
	cmd.Wait() //nolint:errcheck // ping's status says nothing here: the monitors are under test
	// The monitors go on until each has sent 150 probes: on a loaded
	// machine a Monitor skips a send it is late for rather than bursting
	// (sched.Periodic), so a fixed run time would test the machine.
	for tick := time.NewTicker(20 * time.Millisecond); ctx.Err() == nil; <-tick.C {
		if ms[0].Stats().Sent >= 150 && ms[1].Stats().Sent >= 150 && ms[2].Stats().Sent >= 150 {
			break
		}
	}
	cancel()
	for range ms {
		<-done
	}
	var pkts []netlab.Packet
	if sn != nil {
		pkts = sn.Stop()
	}
	for i, m := range ms {
		s := m.Stats()
		if s.Sent < 150 || s.Replies+s.InFlight != s.Sent || s.Duplicates+s.LateReplies+s.Lost+s.Errors != 0 {
			t.Errorf("monitor %d: %+v", i, s)
		}
		if sn != nil {
			if n := len(monitorRequests(pkts, toks[i])); uint64(n) != s.Sent {
				t.Errorf("monitor %d: %d requests on the wire, %d sent", i, n, s.Sent)
			}
		}
	}
}

// BenchmarkMonitorLoopback10k: 10,000 targets on the loopback
// (127.1.0.0 up) at 1 probe a second each, over one raw socket with
// send stamps (as the exporter opens it), for 5 s after a second of
// warm-up. It reports the process's CPU per second of running
// (getrusage(2)), allocations per probe, lost probes, kernel socket
// drops (SO_RXQ_OVFL) and replies timed without their send stamp, and
// fails when a probe is lost or dropped. Run it with -benchtime 1x.
func BenchmarkMonitorLoopback10k(b *testing.B) {
	netlabtest.Privileged(b)
	h := monitorHost(b)
	// 4 MiB of receive buffer: the default (net.core.rmem_default,
	// 208 KiB) holds about 270 replies, a quarter of a second's worth
	// at 1,000 a second and 27 ms at 10,000, which a busy machine's
	// scheduler can keep the reader from.
	s := listenIn(b, h, ListenConfig{Mode: ModeRaw, ReceiveBuffer: 4 << 20, SendStamps: true})
	m, err := NewMonitor([]Socket{*s}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		a := netip.AddrFrom4([4]byte{127, 1, byte(i >> 8), byte(i)})
		if _, err := m.Add(MonitorTarget{Addr: a, Handler: func(*Event) {}}); err != nil {
			b.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	time.Sleep(time.Second)
	for b.Loop() {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		s0, cpu0, t0 := m.Stats(), cpuTime(b), time.Now()
		time.Sleep(5 * time.Second)
		cpu, wall, s1 := cpuTime(b)-cpu0, time.Since(t0), m.Stats()
		runtime.ReadMemStats(&ms1)
		probes := s1.Sent - s0.Sent
		b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cpu-s/s")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(probes), "allocs/probe")
		b.ReportMetric(float64(probes)/wall.Seconds(), "probes/s")
		b.ReportMetric(float64(s1.Lost-s0.Lost), "lost")
		b.ReportMetric(float64(s1.SocketDrops), "drops")
		b.ReportMetric(float64(s1.StampMisses-s0.StampMisses), "stamp-misses")
		b.ReportMetric(float64(s1.SchedulerLagMax.Microseconds()), "lag-max-µs")
		b.ReportMetric(float64((s1.SchedulerLag-s0.SchedulerLag).Nanoseconds())/float64(probes)/1e3, "lag-avg-µs")
		if s1.Lost != 0 || s1.SocketDrops != 0 {
			b.Errorf("lost %d, kernel drops %d: %+v", s1.Lost, s1.SocketDrops, s1)
		}
	}
	cancel()
	<-done
}
