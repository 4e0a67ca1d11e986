//go:build linux

package capture

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket"
	"golang.org/x/sys/unix"
)

// ringCursor is where the reader is in the ring.
type ringCursor struct {
	block int  // index of the current block
	owned bool // the current block is ours (TP_STATUS_USER) until released
	left  int  // packets left in it
	off   int  // ring offset of the next packet header
}

// Offsets in struct tpacket_block_desc / tpacket_hdr_v1 and struct
// tpacket3_hdr (linux/if_packet.h), and of the sockaddr_ll that follows
// the packet header at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).
const (
	bdStatus   = 8
	bdNumPkts  = 12
	bdFirstPkt = 16

	tpNextOffset = 0
	tpSec        = 4
	tpNsec       = 8
	tpSnaplen    = 12
	tpLen        = 16
	tpStatus     = 20
	tpMac        = 24
	tpVlanTCI    = 32
	tpVlanTPID   = 36
	tpSll        = 48
)

// sll2Len is the length of the LINUX_SLL2 header put in front of packets
// read from a SOCK_DGRAM socket (filter.CompileDgram counts it in "len").
const sll2Len = 20

func (c *Conn) u32(off int) uint32 { return binary.NativeEndian.Uint32(c.ring[off:]) }

// blockStatus reads a block's status word, which the kernel writes after
// the block's contents (smp_wmb in prb_close_block); the atomic load
// orders our reads after it.
func (c *Conn) blockStatus(b int) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&c.ring[b*c.blockSize+bdStatus])))
}

// release gives the current block back to the kernel.
func (c *Conn) release() {
	b := c.cur.block
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&c.ring[b*c.blockSize+bdStatus])), unix.TP_STATUS_KERNEL)
	c.cur.owned = false
	c.cur.block = (b + 1) % c.blockNr
}

// take makes the current block ours if the kernel has retired it.
func (c *Conn) take() bool {
	b := c.cur.block
	if c.blockStatus(b)&unix.TP_STATUS_USER == 0 {
		return false
	}
	base := b * c.blockSize
	c.cur.owned = true
	c.cur.left = int(c.u32(base + bdNumPkts))
	c.cur.off = base + int(c.u32(base+bdFirstPkt))
	return true
}

// ReadPacket returns the next packet, waiting for one until ctx is done,
// the read deadline passes or the capture is closed. The data points into
// the ring and is valid until the next read or Close; copy it to keep it.
// ci.InterfaceIndex is the kernel's interface index.
func (c *Conn) ReadPacket(ctx context.Context) ([]byte, gopacket.CaptureInfo, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	return c.read(ctx, false)
}

// Buffered is the number of packets already handed over by the kernel
// that the next reads return without waiting. A caller that batches its
// output can flush when it reaches 0.
func (c *Conn) Buffered() int {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if !c.cur.owned {
		return 0
	}
	return c.cur.left
}

// ZeroCopyReadPacketData implements gopacket.ZeroCopyPacketDataSource:
// ReadPacket without a context (deadlines still apply).
func (c *Conn) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return c.ReadPacket(context.Background())
}

// Drain calls fn for every packet the kernel received for this capture
// before the call, without waiting for more, and returns when there are
// none left; a packet received later ends it and is not handed over. It
// waits at most two block timeouts for a partly filled block to be
// handed over, so that a capture being stopped loses nothing it had
// received.
func (c *Conn) Drain(fn func(data []byte, ci gopacket.CaptureInfo) error) error {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	// The kernel stamps each packet as it queues it (packet(7),
	// tp_sec/tp_nsec, CLOCK_REALTIME): the first one stamped after this
	// moment ends the drain, so steady traffic cannot keep it going.
	stop := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*c.tov+50*time.Millisecond)
	defer cancel()
	for {
		data, ci, err := c.read(ctx, true)
		if errors.Is(err, errDrained) || errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		if err != nil {
			return err
		}
		if ci.Timestamp.After(stop) {
			return nil
		}
		if err := fn(data, ci); err != nil {
			return err
		}
	}
}

var errDrained = errors.New("capture: drained")

func (c *Conn) read(ctx context.Context, draining bool) ([]byte, gopacket.CaptureInfo, error) {
	if c.closed.Load() {
		return nil, gopacket.CaptureInfo{}, c.opError("read", net.ErrClosed)
	}
	if !draining {
		// Packets queued faster than they are read must not keep a
		// cancelled read going: what is left goes to Drain, which
		// stops at the cancel.
		if err := ctx.Err(); err != nil {
			return nil, gopacket.CaptureInfo{}, err
		}
	}
	for {
		if c.cur.owned && c.cur.left == 0 {
			c.release()
		}
		if c.cur.owned || c.take() {
			if c.cur.left > 0 {
				return c.packet()
			}
			continue
		}
		if draining && c.u32(c.cur.block*c.blockSize+bdNumPkts) == 0 {
			// The block being filled is empty: nothing is pending.
			return nil, gopacket.CaptureInfo{}, errDrained
		}
		if err := c.wait(ctx); err != nil {
			return nil, gopacket.CaptureInfo{}, err
		}
	}
}

// wait blocks in the runtime poller until the kernel retires a block. The
// kernel wakes the socket (sk_data_ready) each time it closes one.
func (c *Conn) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var poked chan struct{}
	if ctx.Done() != nil {
		poked = make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			_ = c.file.SetReadDeadline(time.Unix(1, 0))
			close(poked)
		})
		defer func() {
			if !stop() {
				<-poked
				_ = c.file.SetReadDeadline(time.Time{})
			}
		}()
	}
	err := c.rc.Read(func(uintptr) bool { return c.blockStatus(c.cur.block)&unix.TP_STATUS_USER != 0 })
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if c.closed.Load() || errors.Is(err, os.ErrClosed) {
		err = net.ErrClosed // the poller says "use of closed file"
	}
	return c.opError("read", err)
}

// packet returns the packet at the cursor and advances it.
func (c *Conn) packet() ([]byte, gopacket.CaptureInfo, error) {
	h := c.cur.off
	next := int(c.u32(h + tpNextOffset))
	c.cur.left--
	c.cur.off = h + next
	snap := int(c.u32(h + tpSnaplen))
	wire := int(c.u32(h + tpLen))
	mac := h + int(binary.NativeEndian.Uint16(c.ring[h+tpMac:]))
	sll := c.ring[h+tpSll : h+tpSll+20]
	ifindex := int(int32(binary.NativeEndian.Uint32(sll[4:])))
	ci := gopacket.CaptureInfo{
		Timestamp:      time.Unix(int64(c.u32(h+tpSec)), int64(c.u32(h+tpNsec))),
		InterfaceIndex: ifindex,
	}
	status := c.u32(h + tpStatus)
	switch {
	case c.dgram:
		// LINUX_SLL2 header (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
		// protocol, reserved, interface index, ARPHRD type, packet type,
		// address length, 8 bytes of address; all big-endian.
		mac -= sll2Len
		hdr := c.ring[mac : mac+sll2Len]
		copy(hdr[0:2], sll[2:4]) // sll_protocol is already in network order
		hdr[2], hdr[3] = 0, 0
		binary.BigEndian.PutUint32(hdr[4:], uint32(ifindex))
		binary.BigEndian.PutUint16(hdr[8:], binary.NativeEndian.Uint16(sll[8:]))
		hdr[10], hdr[11] = sll[10], sll[11]
		copy(hdr[12:20], sll[12:20])
		snap += sll2Len
		wire += sll2Len
	case status&unix.TP_STATUS_VLAN_VALID != 0 && snap >= 12:
		// The driver moved the 802.1Q tag into metadata; put it back
		// after the MAC addresses, as libpcap does.
		tpid := uint16(0x8100)
		if status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
			tpid = binary.NativeEndian.Uint16(c.ring[h+tpVlanTPID:])
		}
		copy(c.ring[mac-4:mac+8], c.ring[mac:mac+12])
		mac -= 4
		binary.BigEndian.PutUint16(c.ring[mac+12:], tpid)
		binary.BigEndian.PutUint16(c.ring[mac+14:], uint16(c.u32(h+tpVlanTCI)))
		snap += 4
		wire += 4
	}
	ci.CaptureLength, ci.Length = snap, wire
	return c.ring[mac : mac+snap], ci, nil
}
