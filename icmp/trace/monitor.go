package trace

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/rawkit/rawkit/internal/sched"
	"github.com/rawkit/rawkit/raw"
)

// Defaults of a path monitor, mtr's where mtr has them.
const (
	DefaultInterval = time.Second
	// DefaultMonitorWait is how long a probe is waited for at most;
	// answers from later TTLs of the same round shorten it (NearFactor).
	DefaultMonitorWait = 5 * time.Second
	// MaxFlows bounds Config.Flows.
	MaxFlows = 64
)

// MonitorConfig says how to monitor a path. Nil means the defaults:
// the Config defaults, one flow, a round a second until the context
// ends.
type MonitorConfig struct {
	// Config is the probe: method, ports, TTLs, length (TCP: none, a
	// SYN carries no data), TOS, classic
	// mode, source and interface. Queries, Simultaneous and MTU do not
	// apply; Wait bounds each probe's wait (0: DefaultMonitorWait), and
	// NearFactor shortens it as in a trace: to NearFactor times the
	// round trip of a later TTL's answer in the same round and flow.
	Config
	// Target is the destination as the user gave it (snapshots carry it).
	Target string
	// Interval is the time between the starts of rounds; 0 means 1 s.
	Interval time.Duration
	// Count is the rounds to probe; 0 means until the context ends.
	Count int
	// Flows is the flows probed at once (Paris mode): each has its own
	// constant flow fields (UDP and TCP: a source port of its own;
	// ICMP: an echo identifier, hence checksum, of its own; IPv6: a
	// flow label of its own), so that each ECMP branch is seen through
	// the flows a load balancer sends down it. 0 means 1.
	Flows int
	// History is the round trips kept per TTL and responder; 0 means
	// DefaultHistory.
	History int
	// Limiter paces every probe sent, shared by the monitors of one run
	// (rawkit mtr --rate); nil sends each round at once.
	Limiter *Limiter
	// Probe is called with each probe as it settles, and Round with
	// each round as it completes; both from Run's goroutine, with the
	// monitor's statistics already updated. Either may be nil.
	Probe func(MonitorProbe)
	Round func(round int, at time.Time)
	// ProbeSent is called with each probe once it has been written
	// (Round, Flow, TTL and Sent set), from Run's goroutine; nil for
	// none. A probe sent beyond the destination's TTL before the
	// destination answered is later dropped without a Probe call (it
	// no longer counts); every other probe sent gets one Probe call,
	// unless Run ends first.
	ProbeSent func(MonitorProbe)
	// SendError, when set, is called with each probe whose send failed
	// (no route, a firewall's EPERM, ENOBUFS) and the error, and the run
	// goes on: the probe never left, so it is settled as neither
	// answered nor lost (no Probe call). When nil, a failed send ends
	// Run with the error, as a one-off trace wants.
	SendError func(MonitorProbe, error)
	// Clock is the monitor's time source for rounds and waits (nil:
	// sched.Real()); answers' receive times are the kernel's stamps.
	Clock sched.Clock
}

// monitorSettings is a MonitorConfig with its defaults filled in.
type monitorSettings struct {
	MonitorConfig
	ttls int
}

func (c *MonitorConfig) settings() (monitorSettings, error) {
	var s monitorSettings
	if c != nil {
		s.MonitorConfig = *c
	}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.Interval < 0 {
		return s, configErrorf("interval %v is negative", s.Interval)
	}
	if s.Count < 0 {
		return s, configErrorf("count %d is negative", s.Count)
	}
	if s.Flows == 0 {
		s.Flows = 1
	}
	if s.Flows < 1 || s.Flows > MaxFlows {
		return s, configErrorf("%d flows out of range 1-%d", s.Flows, MaxFlows)
	}
	if s.Flows > 1 && s.Classic {
		return s, configErrorf("%d flows in classic mode: flows need Paris mode", s.Flows)
	}
	if s.History < 0 || s.History > 1<<16 {
		return s, configErrorf("history %d out of range 0-65536", s.History)
	}
	if s.Wait == 0 {
		s.Wait = DefaultMonitorWait
	}
	s.Queries = 1
	if s.Method == MethodTCP {
		// A SYN carries no data, as mtr's (a connect) and traceroute
		// -T's: a SYN with data is acknowledged past it, and the answer
		// names no probe of ours.
		s.Length = 0
	}
	if s.Classic && s.Method == MethodTCP {
		// Each classic TCP probe needs a source port of its own, held
		// for the monitor's life: a ring of ten per TTL.
		s.Queries = MaxQueries
	}
	s.MTU, s.Simultaneous = false, 0
	return s, nil
}

// Monitor probes a path round after round, as mtr does, and keeps per
// TTL and per responder statistics in fixed memory. NewMonitor opens its
// sockets as New does; Run probes until its count of rounds is done or
// its context ends; Snapshot may be called from any goroutine at any
// time.
type Monitor struct {
	s       monitorSettings
	path    *Path
	probers []prober    // one per flow
	ring    int         // probe identities per flow, reused in turn
	pings   []*raw.Conn // per flow, unprivileged ICMP (NewPingMonitor); nil with raw sockets
	udps    []*udpSock  // per flow, unprivileged UDP (NewPingMonitor)

	mu    sync.Mutex
	stats *MonitorStats
	pause chan bool
	reset chan struct{}
}

// NewMonitor opens the sockets of a monitor of dst. It needs
// CAP_NET_RAW; the error then matches os.ErrPermission.
func NewMonitor(dst netip.Addr, cfg *MonitorConfig) (*Monitor, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	p, err := New(dst, &s.Config)
	if err != nil {
		return nil, err
	}
	m, err := newMonitor(p, s, reservePort)
	if err != nil {
		p.Close()
		return nil, err
	}
	return m, nil
}

// newMonitor builds a monitor over an opened Path: flow 0 is the path's
// own prober, each further flow a copy with fields of its own.
// reserve holds a source port for each further UDP or TCP flow.
func newMonitor(p *Path, s monitorSettings, reserve portReserver) (*Monitor, error) {
	s.Config = p.s.Config
	s.ttls = s.MaxTTL - s.FirstTTL + 1
	m := &Monitor{s: s, path: p, probers: []prober{p.pr}, pause: make(chan bool, 1), reset: make(chan struct{}, 1)}
	for f := 1; f < s.Flows; f++ {
		pr, err := p.flowProber(reserve)
		if err != nil {
			return nil, err
		}
		m.probers = append(m.probers, pr)
	}
	m.ring = monitorRing(s)
	// A trace bounds the acknowledgments it takes by its probe count; a
	// monitor's probe identities run through its ring instead, and an
	// answer to one past the trace's count is still ours.
	for i := range m.probers {
		m.probers[i].probes = m.ring
	}
	m.stats = NewMonitorStats(MonitorStatsConfig{Target: s.Target, Dst: p.pr.dst, Method: s.Method,
		FirstTTL: s.FirstTTL, MaxTTL: s.MaxTTL, Flows: s.Flows, History: s.History, TOS: s.TOS})
	return m, nil
}

// monitorRing is how many probe identities a flow cycles through: as
// many as the identity field holds in Paris mode (the UDP checksum and
// the ICMP sequence number are 16 bits, and 0 is not used), far more
// than can be in flight; a classic UDP probe's identity is its
// destination port, so fewer; a classic TCP probe's its reserved
// source port.
func monitorRing(s monitorSettings) int {
	switch {
	case s.Classic && s.Method == MethodTCP:
		return s.ttls * s.Queries
	case s.Classic && s.Method == MethodUDP:
		return min(1024, 65535-s.Port+1)
	}
	return 4096
}

// portReserver holds a free source port of src for method's probes
// until the closer is closed (reservePort).
type portReserver func(m Method, src netip.Addr) (uint16, interface{ Close() error }, error)

// flowProber is a further flow's prober: the path's, with its own random echo
// identifier, TCP sequence base, IP ID, IPv6 flow label and, for UDP and
// TCP, a source port of its own held by a bound socket.
func (t *Path) flowProber(reserve portReserver) (prober, error) {
	pr := t.pr
	var rnd [13]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return pr, fmt.Errorf("icmp: random identifiers: %w", err)
	}
	pr.echoID = binary.BigEndian.Uint16(rnd[0:])
	pr.seqBase = binary.BigEndian.Uint32(rnd[2:])
	pr.ipID = binary.BigEndian.Uint16(rnd[6:])
	pr.flow = binary.BigEndian.Uint32(rnd[9:]) & 0xfffff
	if pr.method != MethodICMP && reserve != nil { // nil: the flows' own sockets hold their ports
		port, c, err := reserve(pr.method, pr.src)
		if err != nil {
			return pr, err
		}
		t.closers = append(t.closers, c)
		pr.sport = port
	}
	return pr, nil
}

// Destination is the monitored address.
func (m *Monitor) Destination() netip.Addr { return m.path.pr.dst }

// Source is the address the probes come from.
func (m *Monitor) Source() netip.Addr { return m.path.pr.src }

// Settings returns the monitor's configuration with defaults filled in.
func (m *Monitor) Settings() MonitorConfig { return m.s.MonitorConfig }

// Close releases the monitor's sockets.
func (m *Monitor) Close() error { return m.path.Close() }

// Snapshot copies the monitor's statistics; safe from any goroutine.
func (m *Monitor) Snapshot() MonitorSnapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats.Snapshot()
}

// SetPaused stops (true) or resumes (false) sending new rounds; probes
// in flight still settle.
func (m *Monitor) SetPaused(p bool) {
	select {
	case <-m.pause:
	default:
	}
	m.pause <- p
}

// Reset forgets the statistics gathered so far (mtr's r key).
func (m *Monitor) Reset() {
	select {
	case m.reset <- struct{}{}:
	default:
	}
}

// Limiter paces probes at a rate shared by every monitor that uses it.
type Limiter struct {
	mu   sync.Mutex
	gap  time.Duration
	next time.Time
}

// NewLimiter returns a limiter of pps probes a second (pps > 0).
func NewLimiter(pps float64) *Limiter {
	return &Limiter{gap: time.Duration(float64(time.Second) / pps)}
}

// take books a probe at now when the rate allows one now; else it
// returns when it will.
func (l *Limiter) take(now time.Time) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.next) {
		return l.next, false
	}
	l.next = now.Add(l.gap)
	return now, true
}

// peek returns when the next probe may go.
func (l *Limiter) peek() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// Run probes the path until Count rounds are complete (every probe of
// the last answered or given up: no fixed grace wait) or ctx ends, then
// returns the final snapshot. ctx's error is returned when it ends
// first.
func (m *Monitor) Run(ctx context.Context) (MonitorSnapshot, error) {
	ctx, cancel := context.WithCancel(ctx)
	answers := make(chan monitorAnswer, 256)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for f := range m.udps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.receiveUDP(ctx, f, answers)
		}()
	}
	for f := range m.pings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.receivePing(ctx, f, answers)
		}()
	}
	for _, c := range []pathConn{m.path.icmpConn, m.path.tcpConn} {
		if c != nil {
			tcp := c == m.path.tcpConn
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.receive(ctx, c, tcp, answers)
			}()
		}
	}
	r := newMonitorRun(m)
	err := r.loop(ctx, answers)
	return m.Snapshot(), err
}
