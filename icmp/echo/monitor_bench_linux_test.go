package echo

import (
	"context"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/icmp"
)

// loopConn answers every request at once, in memory, without
// allocating: what is left to measure is the Monitor's own work.
type loopConn struct {
	q    chan loopMsg
	stop chan struct{}
}

type loopMsg struct {
	b   [echoHeaderLen + 56]byte
	n   int
	src netip.Addr
	at  time.Time
}

func newLoopConn() *loopConn {
	return &loopConn{q: make(chan loopMsg, 4096), stop: make(chan struct{}, 1)}
}

func (c *loopConn) WriteTo(_ context.Context, b []byte, dst netip.Addr) (int, error) {
	m := loopMsg{src: dst}
	m.n = copy(m.b[:], b)
	m.b[0] = icmp.TypeEchoReply
	m.at = time.Now()
	select {
	case c.q <- m:
	default: // a full receive queue drops, as a socket's does
	}
	return len(b), nil
}

func (c *loopConn) put(ms *icmp.Message, m *loopMsg) {
	ms.Data = ms.Buf[:copy(ms.Buf, m.b[:m.n])]
	ms.Src, ms.TTL, ms.Received = m.src, 64, m.at
}

func (c *loopConn) ReadBatch(_ context.Context, ms []icmp.Message) (int, error) {
	select {
	case m := <-c.q:
		c.put(&ms[0], &m)
	case <-c.stop:
		return 0, os.ErrDeadlineExceeded
	}
	n := 1
	for n < len(ms) {
		select {
		case m := <-c.q:
			c.put(&ms[n], &m)
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}

func (c *loopConn) SetReadDeadline(t time.Time) error {
	if !t.IsZero() && t.Before(time.Now()) {
		select {
		case c.stop <- struct{}{}:
		default:
		}
	}
	return nil
}

func (c *loopConn) Close() error { return nil }

// BenchmarkMonitorProbe measures one probe of a Monitor in steady state,
// sent, answered and retired: 1,000 targets at 20 ms (50,000 probes a
// second), over an in-memory socket. The clock sets the pace, so ns/op
// is the schedule's 20 µs: the cost is cpu-ns/probe, the process's CPU
// time (getrusage(2)) per probe, both goroutines of the Monitor and the
// socket's stand-in. allocs/op is per probe.
func BenchmarkMonitorProbe(b *testing.B) {
	c := newLoopConn()
	m, err := NewMonitor([]Socket{{Conn: c, ID: 1}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		a := netip.AddrFrom4([4]byte{127, 2, byte(i >> 8), byte(i)})
		if _, err := m.Add(MonitorTarget{Addr: a, Interval: 20 * time.Millisecond, Timeout: 100 * time.Millisecond,
			Handler: func(*Event) {}}); err != nil {
			b.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Run(ctx) }()
	waitSent := func(n uint64) {
		for m.Stats().Sent < n {
			time.Sleep(time.Millisecond)
		}
	}
	waitSent(150000) // 3 s: the table, heaps and buffers at full size
	b.ReportAllocs()
	b.ResetTimer()
	s0 := m.Stats()
	cpu0 := cpuTime(b)
	waitSent(s0.Sent + uint64(b.N))
	b.StopTimer()
	cpu := cpuTime(b) - cpu0
	s := m.Stats()
	cancel()
	<-done
	b.ReportMetric(float64(cpu)/float64(s.Sent-s0.Sent), "cpu-ns/probe")
	b.ReportMetric(float64(s.Lost-s0.Lost), "lost")
	b.ReportMetric(float64(s.Skipped-s0.Skipped), "skipped")
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
