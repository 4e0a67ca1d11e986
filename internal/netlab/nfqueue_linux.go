//go:build linux

package netlab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/netlink"
)

// The nfnetlink_queue protocol, from <linux/netfilter/nfnetlink.h> and
// <linux/netfilter/nfnetlink_queue.h>. Attribute payloads are in network
// byte order; netlink headers in host order.
const (
	nfnlSubsysQueue = 3

	nfqnlMsgPacket       = 0
	nfqnlMsgVerdict      = 1
	nfqnlMsgConfig       = 2
	nfqnlMsgVerdictBatch = 3

	nfqaPacketHdr  = 1
	nfqaVerdictHdr = 2
	nfqaTimestamp  = 4 // struct nfqnl_msg_packet_timestamp: be64 sec, be64 usec

	nfqaCfgCmd      = 1
	nfqaCfgParams   = 2
	nfqaCfgQueueMax = 3

	nfqnlCfgCmdBind = 1
	nfqnlCopyMeta   = 1 // metadata only: the delay needs no payload

	nfAccept = 1
)

// nfqueue is one bound netfilter queue: a netlink socket on the runtime
// poller, so that close unblocks a read.
type nfqueue struct {
	num    uint16
	f      *os.File
	rc     syscall.RawConn
	seq    atomic.Uint32
	last   atomic.Uint32 // the last packet id read
	wmu    sync.Mutex    // one request at a time on the socket
	closed chan struct{}
	once   sync.Once
}

// openNFQueue binds queue num in the current thread's namespace, with
// room for maxLen packets.
func openNFQueue(num uint16, maxLen uint32) (*nfqueue, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	// A full socket buffer drops packets silently instead of failing
	// reads with ENOBUFS (netlink(7)).
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	f := os.NewFile(uintptr(fd), "nfqueue")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	q := &nfqueue{num: num, f: f, rc: rc, closed: make(chan struct{})}
	cmd := []byte{nfqnlCfgCmdBind, 0, 0, unix.AF_INET}
	params := make([]byte, 5)
	binary.BigEndian.PutUint32(params, 0) // copy_range
	params[4] = nfqnlCopyMeta
	maxl := binary.BigEndian.AppendUint32(nil, maxLen)
	for _, a := range [][]byte{
		netlink.AppendAttr(nil, nfqaCfgCmd, cmd),
		netlink.AppendAttr(nil, nfqaCfgParams, params),
		netlink.AppendAttr(nil, nfqaCfgQueueMax, maxl),
	} {
		if err := q.request(nfqnlMsgConfig, unix.NLM_F_ACK, a); err != nil {
			q.close()
			return nil, fmt.Errorf("configuring queue %d: %w", num, err)
		}
		if err := q.ack(); err != nil {
			q.close()
			return nil, fmt.Errorf("configuring queue %d: %w", num, err)
		}
	}
	return q, nil
}

// request sends one nfqueue message with the given attributes.
func (q *nfqueue) request(msg uint16, flags uint16, attrs ...[]byte) error {
	b := make([]byte, unix.NLMSG_HDRLEN+4)
	binary.NativeEndian.PutUint16(b[4:], nfnlSubsysQueue<<8|msg)
	binary.NativeEndian.PutUint16(b[6:], unix.NLM_F_REQUEST|flags)
	binary.NativeEndian.PutUint32(b[8:], q.seq.Add(1))
	b[16] = unix.AF_UNSPEC // nfgenmsg: family, version 0, queue number
	binary.BigEndian.PutUint16(b[18:], q.num)
	for _, a := range attrs {
		b = append(b, a...)
	}
	binary.NativeEndian.PutUint32(b, uint32(len(b)))
	q.wmu.Lock()
	defer q.wmu.Unlock()
	var serr error
	err := q.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return serr != unix.EAGAIN
	})
	if err != nil {
		return err
	}
	return os.NewSyscallError("sendto", serr)
}

// ack reads the kernel's answer to a request sent with NLM_F_ACK.
func (q *nfqueue) ack() error {
	buf := make([]byte, 4096)
	n, err := q.read(buf)
	if err != nil {
		return err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
			if errno := -int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
				return os.NewSyscallError("nfnetlink", syscall.Errno(errno))
			}
			return nil
		}
	}
	return errors.New("no acknowledgement from the kernel")
}

func (q *nfqueue) read(buf []byte) (int, error) {
	var n int
	var rerr error
	err := q.rc.Read(func(fd uintptr) bool {
		n, _, rerr = unix.Recvfrom(int(fd), buf, 0)
		return rerr != unix.EAGAIN
	})
	if err != nil {
		return 0, err
	}
	if rerr != nil {
		return 0, os.NewSyscallError("recvfrom", rerr)
	}
	return n, nil
}

// packetInfo finds NFQA_PACKET_HDR among the attributes of a packet
// message, and NFQA_TIMESTAMP, the packet's receive time (zero when it
// has none: packets the host sent, or received while no socket on the
// machine asked for receive timestamps).
//
// A message with a malformed attribute is not trusted at all: the walk
// stops there, and the whole attributes it covered fall short of the
// message by a header or more.
func packetInfo(attrs []byte) (id uint32, at time.Time, ok bool) {
	walked := 0
	for typ, v := range netlink.Attrs(attrs) {
		walked += netlink.Align(4 + len(v))
		switch {
		case typ == nfqaPacketHdr && len(v) >= 4:
			id, ok = binary.BigEndian.Uint32(v), true
		case typ == nfqaTimestamp && len(v) >= 16:
			sec, usec := binary.BigEndian.Uint64(v), binary.BigEndian.Uint64(v[8:])
			at = time.Unix(int64(sec), int64(usec)*1000)
		}
	}
	if len(attrs)-walked >= 4 {
		return 0, time.Time{}, false
	}
	return id, at, ok
}

// accept lets packet id go on.
func (q *nfqueue) accept(id uint32) error {
	return q.request(nfqnlMsgVerdict, 0, verdictAttr(id))
}

// acceptAll lets go every packet the queue holds, also those not read
// yet (a batch verdict covers every id up to the given one).
func (q *nfqueue) acceptAll() error {
	return q.request(nfqnlMsgVerdictBatch, 0, verdictAttr(q.last.Load()+1<<30))
}

// verdictAttr is the NFQA_VERDICT_HDR attribute that accepts packet id
// (struct nfqnl_msg_verdict_hdr: be32 verdict, be32 id); in a batch
// verdict, every packet up to id.
func verdictAttr(id uint32) []byte {
	v := binary.BigEndian.AppendUint32(nil, nfAccept)
	return netlink.AppendAttr(nil, nfqaVerdictHdr, binary.BigEndian.AppendUint32(v, id))
}

func (q *nfqueue) isClosed() bool {
	select {
	case <-q.closed:
		return true
	default:
		return false
	}
}

// close closes the socket; the kernel then drops what the queue holds.
func (q *nfqueue) close() {
	q.once.Do(func() {
		close(q.closed)
		q.f.Close()
	})
}
