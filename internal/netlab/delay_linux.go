//go:build linux

package netlab

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/hrtimer"
)

// Delayer holds the IPv4 and IPv6 packets leaving one interface for a
// fixed time before letting them go: netem's delay, which this kernel
// lacks, made of an iptables and an ip6tables NFQUEUE rule feeding one
// queue, and a netlink queue listener of netlab's own (nfnetlink_queue;
// iptables-extensions(8) NFQUEUE).
type Delayer struct {
	queueProgram
	delay time.Duration
	due   chan verdict   // FIFO: the delay is constant, so due times ascend
	timer *hrtimer.Timer // release's

	delayed atomic.Uint64
}

type verdict struct {
	id  uint32
	due time.Time
}

// queueNums numbers the queues of a process; queue numbers are per
// namespace, so unique in the process is unique enough.
var queueNums atomic.Uint32

// maxQueued bounds the packets held at once (the kernel's queue length
// and the listener's backlog); more are dropped by the kernel, as a full
// netem queue would drop them.
const maxQueued = 16384

// StartDelay delays by d every IPv4 and IPv6 packet leaving iface, sent from the
// host or forwarded by it, until ctx is done or Close is called: a
// forwarded packet d after the host received it, one the host sent d
// after the listener read it. The host's own packets are told from
// forwarded ones by their source address: one it sends from an address
// it does not have (a forged source) is not delayed. The listener runs
// in this process: the packets wait while it lives and are dropped by
// the kernel if it dies without Close.
func (h *Host) StartDelay(ctx context.Context, iface string, d time.Duration) (*Delayer, error) {
	return h.startDelay(ctx, iface, d, false, nil)
}

// StartDelayIn is StartDelay for the packets arriving on iface, each
// held for d from its arrival before the host routes it: every one has
// the kernel's receive time, so a busy listener never adds to the delay.
// On a chain's routers it gives the round trips StartDelay gives on
// their outgoing interfaces (each link's delay is counted at its other
// end), and only from arrival times.
func (h *Host) StartDelayIn(ctx context.Context, iface string, d time.Duration) (*Delayer, error) {
	return h.startDelay(ctx, iface, d, true, nil)
}

// startDelay is StartDelay, or StartDelayIn for in; tests pass
// beforeRead, called before each read of the queue, to make the listener
// slow.
func (h *Host) startDelay(ctx context.Context, iface string, d time.Duration, in bool, beforeRead func()) (*Delayer, error) {
	if d <= 0 || d > time.Minute {
		return nil, fmt.Errorf("netlab: delay %v: want more than 0, at most 1m", d)
	}
	timer, err := hrtimer.New()
	if err != nil {
		return nil, fmt.Errorf("netlab: %s: delay: %w", h.Name, err)
	}
	num := uint16(queueNums.Add(1))
	var q *nfqueue
	err = h.Do(func() (err error) {
		q, err = openNFQueue(num, maxQueued)
		return err
	})
	if err != nil {
		timer.Close()
		return nil, fmt.Errorf("netlab: %s: delay: %w", h.Name, err)
	}
	stamps := holdRxStamps()
	stop := func() {
		timer.Close()
		if stamps >= 0 {
			unix.Close(stamps)
		}
	}
	dl := &Delayer{queueProgram: queueProgram{h: h, what: "delay", q: q, stop: stop},
		delay: d, due: make(chan verdict, maxQueued), timer: timer}
	err = dl.addRules(ctx, delayRules(iface, num, in)...)
	if err != nil {
		q.close()
		stop()
		return nil, err
	}
	dl.wg.Add(2)
	go dl.receive(beforeRead)
	go dl.release()
	dl.stopWith(ctx, dl.Close)
	return dl, nil
}

// Delayed returns how many packets have been held and let go.
func (dl *Delayer) Delayed() uint64 { return dl.delayed.Load() }

// Close removes the rules, lets the packets still held go at once, and
// stops the listener. It returns the first error the listener met.
func (dl *Delayer) Close() error { return dl.close() }

// receive reads queued packets and hands them to release with their due
// time, until the socket is closed.
func (dl *Delayer) receive(beforeRead func()) {
	defer dl.wg.Done()
	defer close(dl.due)
	r := newBatchReader()
	r.beforeRead = beforeRead
	err := r.receive(dl.q, func(id uint32, at time.Time) {
		dl.due <- verdict{id: id, due: at.Add(dl.delay)}
	})
	if !dl.q.isClosed() {
		dl.fail(err)
	}
}

// releaseSlack is how early a packet may go when it goes with the one
// just released: waking a goroutine for each of a burst's packets, due
// microseconds apart, would hold the later ones back by a scheduler
// wake-up each (tens of microseconds to a millisecond on a busy
// machine), so a burst through a chain of delays would come out later
// the longer it is. Within the slack, packets go together with one
// batch verdict.
const releaseSlack = 100 * time.Microsecond

// release lets each packet go when it is due, together with those
// queued behind it that are due within releaseSlack of it; once the listener
// stops, it accepts what is left at once.
func (dl *Delayer) release() {
	defer dl.wg.Done()
	var next verdict
	have, open := false, true
	for have || open {
		if !have {
			if next, open = <-dl.due; !open {
				return
			}
		}
		have = false
		if wait := time.Until(next.due); wait > 0 {
			dl.timer.Sleep(wait) // fails only once closed, checked next
		}
		if dl.q.isClosed() {
			continue // acceptAll let it go
		}
		// Every packet queued behind it that is due as well goes with
		// it: ids ascend in queue order, and due times with them (the
		// delay is constant), so one batch verdict up to the last
		// covers exactly these.
		last, n := next.id, uint64(1)
	batch:
		for {
			select {
			case v, ok := <-dl.due:
				if !ok {
					open = false
					break batch
				}
				if time.Until(v.due) > releaseSlack {
					next, have = v, true
					break batch
				}
				last = v.id
				n++
			default:
				break batch
			}
		}
		if err := dl.acceptUpTo(last, n); err != nil {
			dl.fail(err)
			continue
		}
		dl.delayed.Add(n)
	}
}

// acceptUpTo lets go the n packets held whose ids end with last: one
// verdict, or a batch verdict (NFQNL_MSG_VERDICT_BATCH) for more.
func (dl *Delayer) acceptUpTo(last uint32, n uint64) error {
	if n == 1 {
		return dl.q.accept(last)
	}
	return dl.q.request(nfqnlMsgVerdictBatch, 0, verdictAttr(last))
}

// ip6tables returns the ip6tables command of the same flavour as the
// iptables command ipt (iptables-legacy gives ip6tables-legacy,
// /usr/sbin/iptables-nft gives /usr/sbin/ip6tables-nft), so that both
// families' rules go to the same backend: the one that works on the
// running kernel, as chosen through RAWKIT_IPTABLES.
func ip6tables(ipt string) string {
	dir, base := filepath.Split(ipt)
	if rest, ok := strings.CutPrefix(base, "iptables"); ok {
		return dir + "ip6tables" + rest
	}
	return dir + "ip6tables"
}

// holdRxStamps opens a socket with SO_TIMESTAMPNS and returns it (-1 if
// it could not): while a socket on the machine asks for receive
// timestamps, the kernel stamps every packet as it arrives, in every
// namespace (net_enable_timestamp, net/core/dev.c), and the delay's
// queue then reports forwarded packets' arrival times.
func holdRxStamps() int {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil {
		unix.Close(fd)
		return -1
	}
	return fd
}

// delayRules are the rules that feed a delay's queue.
//
// Queue instances are per number, not per family: since Linux 3.8 one
// bound queue gets the packets of every family that points at it (the
// per-family PF_BIND of old kernels is a no-op), so the IPv6 rules feed
// the same listener.
func delayRules(iface string, num uint16, in bool) []queueRule {
	queue := []string{"-j", "NFQUEUE", "--queue-num", strconv.Itoa(int(num))}
	if in {
		// Arriving packets carry their receive time in PREROUTING.
		spec := append([]string{"-i", iface}, queue...)
		return []queueRule{{chain: "PREROUTING", spec: spec}, {v6: true, chain: "PREROUTING", spec: spec}}
	}
	// Forwarded packets are queued in FORWARD, where they still carry
	// the time they were received (the kernel clears it before
	// POSTROUTING, ip_forward_finish). The host's own packets are queued
	// in POSTROUTING (source address local: not forwarded ones, which an
	// accepted verdict sends on through POSTROUTING too).
	fwd := append([]string{"-o", iface}, queue...)
	local := append([]string{"-o", iface, "-m", "addrtype", "--src-type", "LOCAL"}, queue...)
	return []queueRule{
		{chain: "FORWARD", spec: fwd}, {chain: "POSTROUTING", spec: local},
		{v6: true, chain: "FORWARD", spec: fwd}, {v6: true, chain: "POSTROUTING", spec: local},
	}
}
