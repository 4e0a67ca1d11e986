//go:build linux

package capture

import (
	"os"
	"time"

	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/internal/byteorder"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// kernelFilter compiles the user's filter for what the kernel hands the
// socket and puts a prologue in front. On loopback every packet passes the
// packet taps twice, once leaving (PACKET_OUTGOING, from
// dev_queue_xmit_nit) and once arriving. We keep the leaving copy, and drop
// the other in the kernel so that it costs no ring space: a packet sent
// on lo is then recorded even when the receiving side drops it (a full
// backlog under a flood), which is what a record of the wire needs.
// libpcap keeps the arriving copy instead; without loss both give the same
// packets.
func (c *Conn) kernelFilter(expr string, ifindex, loIndex int) ([]bpf.RawInstruction, error) {
	var prog []bpf.Instruction
	var err error
	if c.dgram {
		prog, err = filter.CompileDgram(expr, c.snapLen)
	} else {
		prog, err = filter.Compile(expr, c.link, c.snapLen)
	}
	if err != nil {
		return nil, err
	}
	var pre []bpf.Instruction
	switch {
	case loIndex != 0 && ifindex == 0: // "any": only packets on loopback are seen twice
		pre = []bpf.Instruction{
			bpf.LoadExtension{Num: bpf.ExtInterfaceIndex},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(loIndex), SkipTrue: 0, SkipFalse: 3},
			bpf.LoadExtension{Num: bpf.ExtType},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipTrue: 1, SkipFalse: 0},
			bpf.RetConstant{Val: 0},
		}
	case loIndex != 0:
		pre = []bpf.Instruction{
			bpf.LoadExtension{Num: bpf.ExtType},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.PACKET_OUTGOING, SkipTrue: 1, SkipFalse: 0},
			bpf.RetConstant{Val: 0},
		}
	}
	return bpf.Assemble(append(pre, prog...))
}

// setup sets the socket's options, maps the ring and binds.
func (c *Conn) setup(fd, ifindex int, prog []bpf.RawInstruction, cfg *Config) error {
	sockopt := func(name string, err error) error {
		if err != nil {
			return c.opError("listen", os.NewSyscallError("setsockopt "+name, err))
		}
		return nil
	}
	filter := make([]unix.SockFilter, len(prog))
	for i, in := range prog {
		filter[i] = unix.SockFilter{Code: in.Op, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	if err := sockopt("SO_ATTACH_FILTER", unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER,
		&unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]})); err != nil {
		return err
	}
	if err := sockopt("PACKET_VERSION", unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3)); err != nil {
		return err
	}
	// Room in front of each packet for the LINUX_SLL2 header we build on
	// "any", or for a VLAN tag the driver took out (packet(7) PACKET_RESERVE).
	if err := sockopt("PACKET_RESERVE", unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_RESERVE, 32)); err != nil {
		return err
	}
	if err := c.mapRing(fd, cfg.BufferSize); err != nil {
		return err
	}
	sa := &unix.SockaddrLinklayer{Protocol: byteorder.Htons(unix.ETH_P_ALL), Ifindex: ifindex}
	if err := unix.Bind(fd, sa); err != nil {
		return c.opError("listen", os.NewSyscallError("bind", err))
	}
	if cfg.Promiscuous {
		mreq := &unix.PacketMreq{Ifindex: int32(ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := sockopt("PACKET_ADD_MEMBERSHIP", unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, mreq)); err != nil {
			return err
		}
	}
	return nil
}

// mapRing sets up the TPACKET_V3 ring: blocks big enough for one packet
// of the snap length (at least 128 KiB), handed to user space when full
// or when the block timeout passes. A block retired early by the timeout
// is mostly empty, so the ring has many blocks: even if every block were
// retired by the timeout the ring would hold BufferSize/blockSize block
// timeouts' worth of packets.
func (c *Conn) mapRing(fd, size int) error {
	if size <= 0 {
		size = defaultBufferSize
	}
	c.blockSize = 128 << 10
	for c.blockSize < c.snapLen+4096 {
		c.blockSize *= 2
	}
	c.blockNr = size / c.blockSize
	if c.blockNr < 2 {
		c.blockNr = 2
	}
	const frameSize = 2048 // unused by TPACKET_V3 but checked by the kernel
	tov := uint32(c.tov / time.Millisecond)
	if tov == 0 {
		tov = 1
	}
	req := &unix.TpacketReq3{
		Block_size:     uint32(c.blockSize),
		Block_nr:       uint32(c.blockNr),
		Frame_size:     frameSize,
		Frame_nr:       uint32(c.blockSize / frameSize * c.blockNr),
		Retire_blk_tov: tov,
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, req); err != nil {
		return c.opError("listen", os.NewSyscallError("setsockopt PACKET_RX_RING", err))
	}
	ring, err := unix.Mmap(fd, 0, c.blockSize*c.blockNr, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return c.opError("listen", os.NewSyscallError("mmap", err))
	}
	c.ring = ring
	return nil
}
