//go:build privileged

package raw

import (
	"bytes"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// BenchmarkSendHeaderIncludedFloor is BenchmarkSendHeaderIncluded without
// this package: the same packets to the same loopback, from a blocking
// IP_HDRINCL socket the runtime poller never sees, with bare sendto(2)
// ("single") and sendmmsg(2) of benchBatch messages ("batch") and nothing
// else around them. Its batch/single ratio is the most any Go code can get
// from batching on this kernel and machine; the rawkit figures are judged
// against it.
func BenchmarkSendHeaderIncludedFloor(b *testing.B) {
	netlabtest.Privileged(b)
	h := netlabtest.NewHost(b)
	var fd int
	if err := h.Do(func() (err error) {
		fd, err = unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	lo := [4]byte{127, 0, 0, 1}
	p := craft.NewICMPEcho(netip.AddrFrom4(lo), netip.AddrFrom4(lo), 1, 1, make([]byte, 64-28))
	p.ICMP.TypeCode = layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoReply, 0)
	pkt, err := craft.NewBuilder().BuildICMPv4(p)
	if err != nil || len(pkt) != 64 {
		b.Fatalf("building the packet: %d bytes, %v", len(pkt), err)
	}
	pkt = bytes.Clone(pkt)
	sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: lo}

	b.Run("single", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			_, _, e := unix.Syscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(unsafe.Pointer(&pkt[0])), uintptr(len(pkt)), 0,
				uintptr(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet4)
			if e != 0 {
				b.Fatal(e)
			}
		}
		reportRate(b, b.N, cpuTime()-cpu0)
	})
	b.Run("batch", func(b *testing.B) {
		iov := unix.Iovec{Base: &pkt[0]}
		iov.SetLen(len(pkt))
		hdrs := make([]mmsghdr, benchBatch)
		for i := range hdrs {
			hdrs[i].hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&sa)), Namelen: unix.SizeofSockaddrInet4, Iov: &iov}
			hdrs[i].hdr.SetIovlen(1)
		}
		cpu0 := cpuTime()
		sent := 0
		for sent < b.N {
			n, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(min(benchBatch, b.N-sent)), 0, 0, 0)
			if e != 0 {
				b.Fatal(e)
			}
			sent += int(n)
		}
		reportRate(b, sent, cpuTime()-cpu0)
	})
}
