//go:build linux

package netlab

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"sync/atomic"
)

// LeakyNAT makes a Linux host's ICMP errors quote what a router behind a
// leaky NAT quotes (LeakNAT): Linux's own NAT restores the quotes of the
// errors it forwards back, so a NAT that leaks is emulated where the
// errors are made. An iptables NFQUEUE rule in the mangle table's
// OUTPUT chain feeds them to a queue listener of netlab's own, as
// MPLSExtender does.
type LeakyNAT struct {
	queueProgram
	src   netip.Addr
	sport uint16

	rewritten atomic.Uint64
}

// StartLeakyNAT rewrites the time exceeded and destination unreachable
// messages h sends (LeakNAT with src and sport) until ctx is done or
// Close is called.
func (h *Host) StartLeakyNAT(ctx context.Context, src netip.Addr, sport uint16) (*LeakyNAT, error) {
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
		return nil, fmt.Errorf("netlab: %s: leaky NAT: %w", h.Name, err)
	}
	queue := []string{"-j", "NFQUEUE", "--queue-num", strconv.Itoa(int(num)), "--queue-bypass"}
	x := &LeakyNAT{queueProgram: queueProgram{h: h, what: "leaky NAT", q: q}, src: src, sport: sport}
	err = x.addRules(ctx,
		queueRule{chain: "OUTPUT", spec: append([]string{"-p", "icmp", "--icmp-type", "time-exceeded"}, queue...)},
		queueRule{chain: "OUTPUT", spec: append([]string{"-p", "icmp", "--icmp-type", "destination-unreachable"}, queue...)})
	if err != nil {
		q.close()
		return nil, err
	}
	x.wg.Add(1)
	go x.serve()
	x.stopWith(ctx, x.Close)
	return x, nil
}

// Rewritten returns how many messages have left rewritten.
func (x *LeakyNAT) Rewritten() uint64 { return x.rewritten.Load() }

// Close removes the rules, lets what the queue still holds go unchanged,
// and stops the listener. It returns the first error the listener met.
func (x *LeakyNAT) Close() error { return x.close() }

func (x *LeakyNAT) serve() {
	defer x.wg.Done()
	var out []byte
	err := x.q.receivePackets(func(id uint32, pkt []byte) error {
		var err error
		out, err = LeakNAT(out[:0], pkt, x.src, x.sport)
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
