//go:build privileged

package raw

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// benchBatch is the WriteBatch size of the benchmark: past about a hundred
// packets per sendmmsg(2) the system call's cost is spread thin and the
// kernel's per-packet work dominates.
const benchBatch = 256

// BenchmarkSendHeaderIncluded sends 64-byte header-included packets to the
// loopback of a fresh namespace, one write per packet ("single") and
// benchBatch per WriteBatch ("batch"), and reports packets per second.
// The packets are ICMP echo replies, which the receiving kernel drops
// without answering, so the figure is the send path's.
func BenchmarkSendHeaderIncluded(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	var c *Conn
	if err := h.Do(func() (err error) {
		c, err = ListenIPv4(255, &Config{HeaderIncluded: true})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	lo := netip.MustParseAddr("127.0.0.1")
	p := craft.NewICMPEcho(lo, lo, 1, 1, make([]byte, 64-28))
	p.ICMP.TypeCode = layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0)
	pkt, err := craft.NewBuilder().BuildICMPv4(p)
	if err != nil || len(pkt) != 64 {
		b.Fatalf("building the packet: %d bytes, %v", len(pkt), err)
	}
	pkt = bytes.Clone(pkt)
	ctx := context.Background()

	b.Run("single", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := c.WriteToAddr(ctx, pkt, lo); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, b.N, cpuTime()-cpu0)
	})
	b.Run("batch", func(b *testing.B) {
		pkts := make([][]byte, benchBatch)
		for i := range pkts {
			pkts[i] = pkt
		}
		b.ReportAllocs()
		cpu0 := cpuTime()
		sent := 0
		for sent < b.N {
			n, err := c.WriteBatch(ctx, pkts[:min(benchBatch, b.N-sent)], lo)
			if err != nil {
				b.Fatal(err)
			}
			sent += n
		}
		reportRate(b, sent, cpuTime()-cpu0)
	})
}

// reportRate reports packets per second of wall time, the figure the
// target is about, and this process's CPU time per packet, which another
// load on the machine disturbs less. The CPU figure leaves out receive
// work the kernel defers to ksoftirqd, which long batches cause more
// often: compare batches by packets per second.
func reportRate(b *testing.B, pkts int, cpu time.Duration) {
	b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "pkts/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(pkts), "cpu-ns/pkt")
}

// cpuTime is the process's user and system time so far (getrusage(2)).
func cpuTime() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
