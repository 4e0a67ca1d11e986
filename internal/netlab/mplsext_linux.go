//go:build linux

package netlab

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall"

	xicmp "golang.org/x/net/icmp"
	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/netlink"
)

// nfnetlink_queue values the delay's metadata-only queue does not use
// (<linux/netfilter/nfnetlink_queue.h>).
const (
	nfqaPayload     = 10 // NFQA_PAYLOAD: the packet, in a message or a verdict
	nfqnlCopyPacket = 2  // NFQNL_COPY_PACKET
	// mplsCopyRange is the most of a packet the queue copies: any ICMP
	// error a router sends (576 bytes for IPv4, 1280 for IPv6) fits.
	mplsCopyRange = 2048
)

// MPLSExtender makes a Linux router answer as an MPLS router does
// (RFC 4950): every ICMP and ICMPv6 time exceeded the host sends leaves
// with an RFC 4884 extension carrying an MPLS label stack. Linux never
// adds one itself. An iptables and an ip6tables NFQUEUE rule in the
// mangle table's OUTPUT chain (where the host's own ICMP errors pass)
// feed a netlink queue listener of netlab's own that rewrites each
// message (AddMPLSExtension) and hands it back to the kernel in the
// verdict (iptables-extensions(8) NFQUEUE).
type MPLSExtender struct {
	queueProgram
	labels []xicmp.MPLSLabel

	rewritten atomic.Uint64
}

// StartMPLSExtensions rewrites the time exceeded messages h sends to carry
// labels, until ctx is done or Close is called. With --queue-bypass,
// messages pass unchanged when no listener is bound.
func (h *Host) StartMPLSExtensions(ctx context.Context, labels []xicmp.MPLSLabel) (*MPLSExtender, error) {
	if len(labels) == 0 {
		return nil, fmt.Errorf("netlab: %s: MPLS extensions: no label", h.Name)
	}
	num := uint16(queueNums.Add(1))
	var q *nfqueue
	err := h.Do(func() (err error) {
		q, err = openNFQueue(num, maxQueued)
		if err == nil {
			err = q.copyPackets(mplsCopyRange)
		}
		return err
	})
	if err != nil {
		if q != nil {
			q.close()
		}
		return nil, fmt.Errorf("netlab: %s: MPLS extensions: %w", h.Name, err)
	}
	queue := []string{"-j", "NFQUEUE", "--queue-num", strconv.Itoa(int(num)), "--queue-bypass"}
	x := &MPLSExtender{queueProgram: queueProgram{h: h, what: "MPLS extensions", q: q},
		labels: append([]xicmp.MPLSLabel(nil), labels...)}
	err = x.addRules(ctx,
		queueRule{chain: "OUTPUT", spec: append([]string{"-p", "icmp", "--icmp-type", "time-exceeded"}, queue...)},
		queueRule{v6: true, chain: "OUTPUT", spec: append([]string{"-p", "ipv6-icmp", "--icmpv6-type", "time-exceeded"}, queue...)})
	if err != nil {
		q.close()
		return nil, err
	}
	x.wg.Add(1)
	go x.serve()
	x.stopWith(ctx, x.Close)
	return x, nil
}

// Rewritten returns how many messages have left with the extension.
func (x *MPLSExtender) Rewritten() uint64 { return x.rewritten.Load() }

// Close removes the rules, lets what the queue still holds go unchanged,
// and stops the listener. It returns the first error the listener met.
func (x *MPLSExtender) Close() error { return x.close() }

// serve rewrites each queued message and gives it back in its verdict;
// a packet it cannot rewrite goes on unchanged.
func (x *MPLSExtender) serve() {
	defer x.wg.Done()
	var out []byte
	err := x.q.receivePackets(func(id uint32, pkt []byte) error {
		var err error
		out, err = AddMPLSExtension(out[:0], pkt, x.labels)
		if err != nil {
			return x.q.accept(id)
		}
		if err := x.q.acceptPayload(id, out); err != nil {
			return err
		}
		x.rewritten.Add(1)
		return nil
	})
	if !x.q.isClosed() {
		x.fail(err)
	}
}

// copyPackets asks the kernel to copy up to n bytes of each queued
// packet into its message (NFQNL_COPY_PACKET), instead of metadata only.
func (q *nfqueue) copyPackets(n uint32) error {
	params := binary.BigEndian.AppendUint32(nil, n)
	params = append(params, nfqnlCopyPacket)
	if err := q.request(nfqnlMsgConfig, unix.NLM_F_ACK, netlink.AppendAttr(nil, nfqaCfgParams, params)); err != nil {
		return err
	}
	return q.ack()
}

// receivePackets calls fn with the id and bytes (from the IP header on)
// of every queued packet, in order, until the socket is closed (nil), or
// fails, or fn does.
func (q *nfqueue) receivePackets(fn func(id uint32, pkt []byte) error) error {
	buf := make([]byte, 1<<16)
	for {
		n, err := q.read(buf)
		if err != nil {
			if q.isClosed() {
				return nil
			}
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Type != nfnlSubsysQueue<<8|nfqnlMsgPacket || len(m.Data) < 4 {
				continue
			}
			id, pkt, ok := packetAttrs(m.Data[4:])
			if !ok {
				continue
			}
			q.last.Store(id)
			if err := fn(id, pkt); err != nil {
				return err
			}
		}
	}
}

// packetAttrs finds NFQA_PACKET_HDR and NFQA_PAYLOAD among the
// attributes of a packet message.
func packetAttrs(attrs []byte) (id uint32, pkt []byte, ok bool) {
	var haveID bool
	for typ, v := range netlink.Attrs(attrs) {
		switch {
		case typ == nfqaPacketHdr && len(v) >= 4:
			id, haveID = binary.BigEndian.Uint32(v), true
		case typ == nfqaPayload:
			pkt = v
		}
	}
	return id, pkt, haveID && pkt != nil
}

// acceptPayload lets packet id go on as pkt instead of what was queued
// (the kernel's nfqnl_mangle resizes it).
func (q *nfqueue) acceptPayload(id uint32, pkt []byte) error {
	return q.request(nfqnlMsgVerdict, 0, verdictAttr(id), netlink.AppendAttr(nil, nfqaPayload, pkt))
}
