package trace

import (
	"github.com/rawkit/rawkit/icmp"

	"errors"
	"fmt"
	"net/netip"
	"time"

	xicmp "golang.org/x/net/icmp"
)

// Method is the kind of probe a path trace sends.
type Method int

const (
	// MethodUDP sends UDP datagrams; the destination answers with ICMP
	// port unreachable (traceroute's default).
	MethodUDP Method = iota
	// MethodICMP sends ICMP echo requests; the destination answers with
	// an echo reply (traceroute -I).
	MethodICMP
	// MethodTCP sends TCP SYNs; the destination answers with a SYN-ACK
	// or a RST (traceroute -T). The local kernel resets the SYN-ACK, so
	// no connection is ever made.
	MethodTCP
)

func (m Method) String() string {
	switch m {
	case MethodUDP:
		return "udp"
	case MethodICMP:
		return "icmp"
	case MethodTCP:
		return "tcp"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// protocol is the IP protocol (IPv6: next header) number of the
// method's probes.
func (m Method) protocol(v6 bool) int {
	switch m {
	case MethodICMP:
		if v6 {
			return icmp.ProtocolICMPv6
		}
		return icmp.ProtocolICMP
	case MethodTCP:
		return 6
	}
	return 17
}

// Defaults of a path trace, those of Linux traceroute(8).
const (
	DefaultMaxTTL  = 30
	DefaultQueries = 3
	DefaultUDPPort = 33434
	DefaultTCPPort = 80
	DefaultLength  = 60
	// DefaultLength6 is the IPv6 default: traceroute -6's 80 bytes.
	DefaultLength6    = 80
	DefaultWait       = 5 * time.Second
	DefaultHereFactor = 3
	DefaultNearFactor = 10
	// MaxLength is the largest probe traceroute accepts.
	MaxLength = 65000
	// MaxQueries bounds the probes per hop, as traceroute does.
	MaxQueries = 10
)

// Config says how to trace a path. Nil means the defaults: UDP,
// Paris mode, TTLs 1 to 30, 3 probes a hop, 60-byte packets, all in
// flight at once.
type Config struct {
	Method Method
	// Port is the destination port of UDP and TCP probes: 0 means 33434
	// for UDP and 80 for TCP. In classic UDP mode it is the first port.
	Port     int
	FirstTTL int // 0 means 1
	MaxTTL   int // 0 means 30
	Queries  int // probes per hop; 0 means 3
	// Simultaneous bounds the probes in flight at once (traceroute -N);
	// 0 means no bound: every probe goes out at the start.
	Simultaneous int
	// Wait is the longest a probe is waited for (traceroute -w MAX);
	// 0 means 5 s. HereFactor and NearFactor shorten it as traceroute
	// does: to HereFactor times the round trip of an answered probe of
	// the same hop, or else NearFactor times that of a later probe.
	// Negative factors disable the rule; 0 means the default (3, 10).
	Wait       time.Duration
	HereFactor float64
	NearFactor float64
	// Length is the probes' IP total length in bytes (for IPv6, the
	// 40-byte header and its payload); 0 means 60, 80 for IPv6.
	Length int
	TOS    int // the IPv4 TOS or the IPv6 traffic class
	// DontFragment sets DF on every probe (traceroute -F); a router
	// that cannot forward one answers fragmentation needed (!F-MTU). A
	// probe larger than the local interface's MTU is not sent: it is
	// answered at once as refused (ProbeResult.Local). Without it,
	// probes larger than the route's MTU (IP_MTU) go out as IPv4
	// fragments (RFC 791), or IPv6 ones with a Fragment header (RFC 8200
	// 4.5), as the kernel fragments traceroute's.
	DontFragment bool
	// MTU discovers the path MTU (traceroute --mtu, tracepath): probes
	// carry DF, start at the local path MTU and shrink at each
	// fragmentation-needed answer; the probe that first crosses at a new
	// size reports it (ProbeResult.MTU). It sends one probe at a time.
	MTU bool
	// Classic turns Paris mode off: UDP probes then go to Port, Port+1,
	// ..., ICMP probes' checksums vary, and each TCP probe comes from a
	// source port of its own, reserved for the trace (Port stays the
	// destination), so load balancers may send each probe a different way.
	Classic   bool
	Source    netip.Addr // zero: the kernel's choice for the destination
	Interface string     // SO_BINDTODEVICE; empty means any
}

// ProbeResult is what became of one probe.
type ProbeResult struct {
	TTL, Query int        // the probe's TTL and its number within the hop (from 0)
	Answered   bool       // false: no answer within the wait
	From       netip.Addr // who answered
	RTT        time.Duration
	// Type and Code are those of the ICMP answer; -1 for a TCP answer.
	Type, Code int
	// QuotedTTL and QuotedTOS are the probe's TTL and TOS as the router
	// quoted them back; -1 when the answer quotes nothing.
	QuotedTTL, QuotedTOS int
	// IPv6 reports an ICMPv6 answer: Type and Code are then ICMPv6's
	// (RFC 4443), and a packet too big gives NextMTU.
	IPv6 bool
	// Reached reports an answer from the destination itself.
	Reached bool
	// Final reports an answer that ends the trace: Reached, or a
	// destination unreachable from a router (!H, !N, ...).
	Final bool
	// NextMTU is the next-hop MTU of a fragmentation-needed (ICMPv6:
	// packet-too-big) answer, or of a Local refusal.
	NextMTU int
	// Local reports a probe the engine did not send: it was larger than
	// the MTU of the interface toward the destination (NextMTU) and may
	// not be fragmented (DontFragment), as the kernel refuses traceroute
	// -F's with EMSGSIZE. It ends the trace as a fragmentation-needed
	// answer does; From is the zero Addr, Type and Code are -1.
	Local bool
	// MTU is set in MTU mode on the first probe sent at a new size
	// (answered or not, as traceroute --mtu marks it): the path MTU
	// known when it was sent.
	MTU  int
	Size int // the probe's IP total length
	// Extensions are the RFC 4884 objects of the answer, such as RFC 4950
	// MPLS label stacks (*xicmp.MPLSLabelStack).
	Extensions []xicmp.Extension
}

// Hop is the probes of one TTL, in the order they were sent.
type Hop struct {
	TTL    int
	Probes []ProbeResult
}

// Summary is the outcome of a trace.
type Summary struct {
	Destination netip.Addr
	Source      netip.Addr
	Reached     bool // the destination answered
	Hops        int  // hops reported
	Sent        int  // probes sent, counting those refused here (ProbeResult.Local), which are answered at once
	Answered    int  // probes answered
	// SendStamps counts the answered probes whose round trip runs from
	// the kernel's send time (SO_TIMESTAMPING) rather than from the time
	// taken before the write.
	SendStamps int
	Elapsed    time.Duration
}

// ErrBadConfig is matched by the errors of a Config's invalid
// values.
var ErrBadConfig = errors.New("icmp: bad path trace configuration")

func configErrorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadConfig, fmt.Sprintf(format, a...))
}

// pathSettings is a Config with its defaults filled in.
type pathSettings struct {
	Config
	headerLen int // IP and transport headers of a probe
}

// TooBig reports an answer saying the probe was larger than a link's
// MTU: ICMP fragmentation needed, ICMPv6 packet too big, or a Local
// refusal.
func (r ProbeResult) TooBig() bool {
	if r.Local {
		return true
	}
	if r.IPv6 {
		return r.Type == icmp.TypePacketTooBigV6
	}
	return r.Type == icmp.TypeDestUnreach && r.Code == 4
}

// settings validates cfg for a trace of the given family and fills its
// defaults; every error names the value at fault.
func (cfg *Config) settings(v6 bool) (pathSettings, error) {
	var s pathSettings
	if cfg != nil {
		s.Config = *cfg
	}
	c := &s.Config
	switch c.Method {
	case MethodUDP, MethodICMP, MethodTCP:
	default:
		return s, configErrorf("unknown method %d", int(c.Method))
	}
	if c.FirstTTL == 0 {
		c.FirstTTL = 1
	}
	if c.MaxTTL == 0 {
		c.MaxTTL = DefaultMaxTTL
	}
	switch {
	case c.FirstTTL < 1 || c.FirstTTL > 255:
		return s, configErrorf("first ttl %d out of range 1-255", c.FirstTTL)
	case c.MaxTTL < 1 || c.MaxTTL > 255:
		return s, configErrorf("max ttl %d out of range 1-255", c.MaxTTL)
	case c.MaxTTL < c.FirstTTL:
		return s, configErrorf("max ttl %d is below first ttl %d", c.MaxTTL, c.FirstTTL)
	}
	if c.Queries == 0 {
		c.Queries = DefaultQueries
	}
	if c.Queries < 1 || c.Queries > MaxQueries {
		return s, configErrorf("%d probes per hop out of range 1-%d", c.Queries, MaxQueries)
	}
	if c.Port == 0 {
		c.Port = DefaultUDPPort
		if c.Method == MethodTCP {
			c.Port = DefaultTCPPort
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return s, configErrorf("port %d out of range 1-65535", c.Port)
	}
	if c.Simultaneous < 0 {
		return s, configErrorf("%d simultaneous probes: want 0 or more", c.Simultaneous)
	}
	if c.MTU {
		c.Simultaneous, c.DontFragment = 1, true
	}
	if c.Wait == 0 {
		c.Wait = DefaultWait
	}
	if c.Wait < 0 {
		return s, configErrorf("wait %v is negative", c.Wait)
	}
	if c.HereFactor == 0 {
		c.HereFactor = DefaultHereFactor
	}
	if c.NearFactor == 0 {
		c.NearFactor = DefaultNearFactor
	}
	if c.TOS < 0 || c.TOS > 255 {
		return s, configErrorf("tos %d out of range 0-255", c.TOS)
	}
	c.Source = c.Source.Unmap()
	switch {
	case v6 && c.Source.IsValid() && !c.Source.Is6():
		return s, configErrorf("source %v is not IPv6", c.Source)
	case !v6 && c.Source.IsValid() && !c.Source.Is4():
		return s, configErrorf("source %v is not IPv4", c.Source)
	}
	s.headerLen = probeHeaderLen(c.Method, !c.Classic, v6)
	if c.Length == 0 {
		c.Length = DefaultLength
		if v6 {
			c.Length = DefaultLength6
		}
	}
	if c.Length < s.headerLen || c.Length > MaxLength {
		return s, configErrorf("packet length %d out of range %d-%d", c.Length, s.headerLen, MaxLength)
	}
	return s, nil
}

// MinLength is the smallest probe of a method: its headers, and in
// Paris mode the two payload bytes that keep the flow's checksum fixed.
func MinLength(m Method, classic bool) int { return probeHeaderLen(m, !classic, false) }

// MinLength6 is MinLength for IPv6 probes.
func MinLength6(m Method, classic bool) int { return probeHeaderLen(m, !classic, true) }
