package echo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/rawkit/rawkit/internal/sched"
)

// Limits of a Monitor's targets: what a configuration may ask for
// without turning a probe rate into a flood or the table of probes
// into unbounded memory (a target keeps at most 2·Timeout/Interval+1
// probes, see Monitor).
const (
	MinMonitorInterval = time.Millisecond
	MaxMonitorTimeout  = time.Minute
	// DefaultMonitorTimeout is a Monitor's timeout when a target sets
	// none: a probe unanswered after it counts as lost.
	DefaultMonitorTimeout = 2 * time.Second
	// MinMonitorSize is the smallest payload a Monitor sends: its token
	// and the probe's 64-bit number (monitorHeaderLen).
	MinMonitorSize = monitorHeaderLen
)

// MonitorConfig configures a Monitor; nil means the defaults.
type MonitorConfig struct {
	// Token is the tag carried in every payload; nil: a fresh one from
	// crypto/rand. Two Monitors must not share one.
	Token *Token
	// Clock schedules sends and deadlines; nil: sched.Real(). Round-trip
	// times come from the kernel's receive stamps and Clock's Now, so a
	// fake Clock suits only sockets that stamp with it (tests run the
	// real clock in a testing/synctest bubble instead).
	Clock sched.Clock
	// ReadWait is how long a receiver waits, once its socket is drained,
	// before it reads again, so that replies are read in batches (at
	// ten thousand replies a second, one wake-up each cost more CPU than
	// the rest of the receive path). It delays no round trip, which the
	// kernel's receive stamp measures, and so applies only while the
	// socket stamps replies; expiry waits twice as long after each
	// deadline, so that a reply stamped in time has been read when its
	// probe would end as lost (a reply stamped after its deadline is
	// lost and late whenever it is read). 0: every reply is read as soon
	// as it comes.
	ReadWait time.Duration
}

// MonitorTarget is one address a Monitor probes for as long as it is
// added.
type MonitorTarget struct {
	Addr netip.Addr
	// Interval is the time between two probes; 0 means 1s. At least
	// MinMonitorInterval.
	Interval time.Duration
	// Timeout is how long a probe waits for its reply before it counts
	// as lost; 0 means DefaultMonitorTimeout, at most MaxMonitorTimeout.
	Timeout time.Duration
	// Size is the payload length in bytes; 0 means 56, at least
	// MinMonitorSize.
	Size int
	// TOS is every probe's type of service (IPv4, IP_TOS, ip(7)) or
	// traffic class (IPv6, IPV6_TCLASS, ipv6(7)), sent as a control
	// message with the probe; 0 keeps the socket's.
	TOS int
	// Source is every probe's source address (IP_PKTINFO,
	// IPV6_PKTINFO), sent as a control message; the zero Addr keeps the
	// kernel's choice.
	Source netip.Addr
	// Handler gets every event of the target: EventSent, EventReply
	// (Late set for a reply to a probe already counted lost),
	// EventDuplicate, EventLost, EventError (an ICMP error quoting a
	// probe: it does not end the probe) and EventSendError (the write
	// failed: the probe goes on to its deadline and is lost). Calls for
	// one Monitor come one at a time; the handler must not block and
	// must not call Add, Remove or SetAddr. The Event is reused: copy
	// what you keep. Nil means no events.
	Handler func(*Event)
}

// Monitor probes a changing set of targets, each on its own schedule,
// for as long as it runs: the long-running form of the echo engine,
// behind `rawkit exporter`.
//
// All targets of a family share one socket. Sends are spread over
// time by sched.Periodic: a target's probes go out at a phase of its
// interval taken from a hash, so ten thousand targets at 1 s are ten
// sends a millisecond, not a burst at the top of each second, and
// adding a target moves no other one. Every probe has a 64-bit number,
// counted over the Monitor's life and carried in the payload after the
// token; a reply is matched by token and number, never by the ICMP
// sequence alone (which is the target's own count modulo 2^16), so
// nothing wraps or mixes up however long the Monitor runs. A probe's
// deadline sits in one sched.Deadlines heap.
//
// Every probe ends exactly once: with its first reply (EventReply), or
// when its deadline passes without one (EventLost); a reply after that
// is late (EventReply with Late set, MonitorStats.LateReplies) and does
// not take the probe out of Lost. A probe stays in the table for one
// more Timeout after its deadline, to tell late replies and duplicates
// from strangers; a target holds at most 2·Timeout/Interval+1 of them.
// Probes in flight when their target is removed end with no event
// (MonitorStats.Abandoned, at their deadline; their replies and errors
// are not counted), and so do those in flight when Run returns.
type Monitor struct {
	socks []monSock
	clock sched.Clock
	token Token
	// readWait is MonitorConfig.ReadWait; expiry runs expireAfter past
	// each deadline (twice readWait).
	readWait, expireAfter time.Duration

	hmu sync.Mutex // held while collecting and delivering events: keeps their order
	mu  sync.Mutex // guards everything below

	sched     sched.Periodic[*Probe]
	deadlines sched.Deadlines[int32] // index of a flight
	table     flightTable
	stats     MonitorStats
	nextNo    uint64 // number of the next probe, from 1
	nextID    int
	started   bool
	byAddr    map[netip.Addr][]*Probe // the targets at each address, for short quotes

	kick chan struct{} // wakes the sender: the schedule changed
}

// Probe is one target of a Monitor, from Add until Remove.
type Probe struct {
	m        *Monitor
	id       int
	addr     netip.Addr
	sock     int // index in Monitor.socks
	interval time.Duration
	timeout  time.Duration
	size     int
	tos      int
	source   netip.Addr
	handler  func(*Event)
	n        int64  // probes sent
	tmpl     []byte // its echo request, sequence and number zero
	tmplSum  uint64 // folded sum of tmpl (IPv4)
	removed  bool
	// recent holds the flights of its last probes (by count modulo
	// recentProbes; -1 for none), for ICMP errors whose quote is too
	// short to carry the probe number.
	recent [recentProbes]int32
}

// recentProbes is how many of a target's last probes an ICMP error
// quoting only the echo header can still be matched to.
const recentProbes = 16

// monSock is one socket of a Monitor.
type monSock struct {
	c     Conn
	opt   optConn // c's sends with per-probe options; nil if it has none
	id    uint16
	v6    bool
	ping  bool   // a ping socket (Socket.Mode)
	drops uint32 // the kernel's drop count last seen (SO_RXQ_OVFL)
	// stamps: the socket reports a send stamp of every probe, keyed by
	// the probe's number (stampConn), which every write names.
	stamps bool
}

// NewMonitor returns a Monitor over socks, at most one per family
// (Listen opens them; Conn, ID and IPv6 are used). The sockets stay the
// caller's: Run does not close them.
func NewMonitor(socks []Socket, cfg *MonitorConfig) (*Monitor, error) {
	if len(socks) == 0 || len(socks) > 2 {
		return nil, fmt.Errorf("icmp: %d sockets: a Monitor takes one or one per family", len(socks))
	}
	if len(socks) == 2 && socks[0].IPv6 == socks[1].IPv6 {
		return nil, errors.New("icmp: two sockets of one family")
	}
	m := &Monitor{kick: make(chan struct{}, 1), nextNo: 1}
	for _, s := range socks {
		if s.Conn == nil {
			return nil, errors.New("icmp: nil Conn")
		}
		oc, _ := s.Conn.(optConn)
		sc, _ := s.Conn.(stampConn)
		m.socks = append(m.socks, monSock{c: s.Conn, opt: oc, id: s.ID, v6: s.IPv6, ping: s.Mode == ModePing,
			stamps: oc != nil && sc != nil && sc.sendStampKeys()})
	}
	if cfg == nil {
		cfg = &MonitorConfig{}
	}
	m.clock = cfg.Clock
	m.readWait, m.expireAfter = max(cfg.ReadWait, 0), 2*max(cfg.ReadWait, 0)
	if m.clock == nil {
		m.clock = sched.Real()
	}
	if cfg.Token != nil {
		m.token = *cfg.Token
	} else if _, err := rand.Read(m.token[:]); err != nil {
		return nil, fmt.Errorf("icmp: monitor token: %w", err)
	}
	m.table.init()
	m.byAddr = make(map[netip.Addr][]*Probe)
	m.sched.Hash = phaseHash
	return m, nil
}

// phaseHash places a target in its interval by what it is (address,
// size, TOS), not by when it was added: a restarted or reloaded
// exporter probes each target at the same phase as before. It is read
// once, at Add; SetAddr keeps the phase. FNV-1a, then splitmix64's
// finaliser to spread the bits.
func phaseHash(p *Probe) uint64 {
	h := uint64(14695981039346656037)
	a := p.addr.As16()
	for _, b := range a {
		h = (h ^ uint64(b)) * 1099511628211
	}
	h = (h ^ uint64(p.size)) * 1099511628211
	h = (h ^ uint64(p.tos)) * 1099511628211
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// Add starts probing t and returns its Probe. It is safe before and
// during Run, from any goroutine but the handler's.
func (m *Monitor) Add(t MonitorTarget) (*Probe, error) {
	p := &Probe{m: m, interval: t.Interval, timeout: t.Timeout, size: t.Size, tos: t.TOS,
		source: t.Source, handler: t.Handler}
	for i := range p.recent {
		p.recent[i] = -1
	}
	if p.interval == 0 {
		p.interval = DefaultInterval
	}
	if p.timeout == 0 {
		p.timeout = DefaultMonitorTimeout
	}
	if p.size == 0 {
		p.size = defaultEchoPayload
	}
	switch {
	case p.interval < MinMonitorInterval:
		return nil, fmt.Errorf("icmp: interval %v is below %v", t.Interval, MinMonitorInterval)
	case p.timeout < 0 || p.timeout > MaxMonitorTimeout:
		return nil, fmt.Errorf("icmp: timeout %v is out of range 0..%v", t.Timeout, MaxMonitorTimeout)
	case p.tos < 0 || p.tos > 255:
		return nil, fmt.Errorf("icmp: TOS %d is out of range 0..255", t.TOS)
	}
	m.hmu.Lock()
	defer m.hmu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.address(p, t.Addr); err != nil {
		return nil, err
	}
	m.nextID++
	p.id = m.nextID
	m.stats.Targets++ // p.addr and the rest are set: phaseHash reads them
	m.sched.Add(p, p.interval, m.clock.Now())
	m.wake()
	return p, nil
}

// address points p at a, over the socket of a's family, checking that
// the socket can carry p's size, TOS and source.
func (m *Monitor) address(p *Probe, a netip.Addr) error {
	if !a.IsValid() {
		return errors.New("icmp: no target address")
	}
	a = a.Unmap()
	v6 := a.Is6()
	si := -1
	for i := range m.socks {
		if m.socks[i].v6 == v6 {
			si = i
		}
	}
	fam := map[bool]int{false: 4, true: 6}[v6]
	if si < 0 {
		return fmt.Errorf("icmp: target %v is an IPv%d address, and the Monitor has no IPv%[2]d socket", a, fam)
	}
	maxSize := maxEchoPayload
	if v6 {
		maxSize = maxEchoPayload6
	}
	if p.size < MinMonitorSize || p.size > maxSize {
		return fmt.Errorf("icmp: payload size %d out of range %d..%d", p.size, MinMonitorSize, maxSize)
	}
	s := &m.socks[si]
	if p.source.IsValid() && (p.source.Unmap().Is6() != v6) {
		return fmt.Errorf("icmp: source %v is not an IPv%d address like target %v", p.source, fam, a)
	}
	if (p.tos != 0 || p.source.IsValid()) && s.opt == nil {
		return fmt.Errorf("icmp: target %v: the socket cannot set a TOS or source per probe", a)
	}
	if p.source.IsValid() && s.v6 && s.ping {
		// The kernel takes IPV6_TCLASS but not IPV6_PKTINFO's source from
		// a ping socket's sendmsg (seen on Linux 6.18: the packet leaves
		// from the route's source); rather than send from the wrong
		// address, refuse.
		return fmt.Errorf("icmp: source %v for target %v: an IPv6 ping socket cannot set a source per probe; use a raw socket (CAP_NET_RAW)", p.source, a)
	}
	if p.tmpl == nil || p.sock != si {
		p.tmpl, p.tmplSum = monitorTemplate(s.id, s.v6, m.token, p.size)
	}
	m.unindex(p)
	p.addr, p.sock = a, si
	m.byAddr[a.WithZone("")] = append(m.byAddr[a.WithZone("")], p) // a quote has no zone
	return nil
}

// unindex takes p out of byAddr; m.mu is held.
func (m *Monitor) unindex(p *Probe) {
	if !p.addr.IsValid() {
		return
	}
	k := p.addr.WithZone("")
	ps := m.byAddr[k]
	for i, q := range ps {
		if q == p {
			ps = append(ps[:i], ps[i+1:]...)
			break
		}
	}
	if len(ps) == 0 {
		delete(m.byAddr, k)
	} else {
		m.byAddr[k] = ps
	}
}

// SetAddr moves the target to a new address (a name resolved again):
// the Probe keeps its schedule, counts and handler. Probes in flight to
// the old address are still matched.
func (p *Probe) SetAddr(a netip.Addr) error {
	m := p.m
	m.hmu.Lock()
	defer m.hmu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.removed {
		return errors.New("icmp: SetAddr on a removed target")
	}
	return m.address(p, a)
}

// Addr returns the address the target is probed at.
func (p *Probe) Addr() netip.Addr {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	return p.addr
}

// Remove stops probing the target. Its handler gets no event after
// Remove returns; its probes in flight end with no event. Removing
// twice does nothing.
func (p *Probe) Remove() {
	m := p.m
	m.hmu.Lock() // waits for a delivery in progress
	defer m.hmu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.removed {
		return
	}
	p.removed = true
	m.sched.Remove(p)
	m.unindex(p)
	m.stats.Targets--
}

// wake tells the sender the schedule changed; m.mu is held.
func (m *Monitor) wake() {
	select {
	case m.kick <- struct{}{}:
	default:
	}
}

// MonitorStats are a Monitor's totals over its life, all targets'
// together. Sent = Replies + Lost + Abandoned + InFlight at any time.
type MonitorStats struct {
	Targets     int    // targets added and not removed
	Sent        uint64 // probes sent (a failed write counts, as it ends as lost)
	Replies     uint64 // probes answered before their deadline
	Lost        uint64 // probes whose deadline passed with no reply
	LateReplies uint64 // replies to probes already counted lost
	Duplicates  uint64 // further replies to a probe already answered
	Errors      uint64 // ICMP errors matched to a probe
	SendErrors  uint64 // failed writes
	Abandoned   uint64 // probes in flight when their target was removed
	InFlight    uint64 // probes waiting for a reply or their deadline
	// SocketDrops is the packets the kernel dropped on the Monitor's
	// sockets for want of receive buffer (SO_RXQ_OVFL, socket(7)), as
	// far as the packets read since have told.
	SocketDrops uint64
	// SchedulerLag sums, over sends, how late each went out against its
	// schedule; SchedulerLagMax is the worst.
	SchedulerLag    time.Duration
	SchedulerLagMax time.Duration
	// Skipped counts sends dropped because the sender fell more than a
	// whole interval behind (a stalled process): they are not sent in a
	// burst later.
	Skipped uint64
	// SendStamped counts the replies timed from the kernel's send stamp
	// of their request (ListenConfig.SendStamps); StampMisses those on a
	// socket with send stamps whose stamp had not come, timed from the
	// time taken before the write instead.
	SendStamped uint64
	StampMisses uint64
}

// Stats returns the Monitor's totals; it is safe at any time.
func (m *Monitor) Stats() MonitorStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.stats
	s.Skipped = m.sched.Skipped()
	return s
}
