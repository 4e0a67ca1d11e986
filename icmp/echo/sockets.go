package echo

import (
	"errors"
	"fmt"
	"net/netip"
)

// setSockets takes a run's sockets, at most one per family, and gives
// each target the one of its family.
func (e *Engine) setSockets(socks []Socket, targets []netip.Addr) error {
	if len(socks) == 0 || len(socks) > 2 {
		return fmt.Errorf("icmp: %d sockets: a run takes one or one per family", len(socks))
	}
	if len(socks) == 2 && socks[0].IPv6 == socks[1].IPv6 {
		return errors.New("icmp: two sockets of one family")
	}
	e.socks = make([]echoSock, len(socks))
	for i, s := range socks {
		if s.Conn == nil {
			return errors.New("icmp: nil Conn")
		}
		e.socks[i] = echoSock{c: s.Conn, id: s.ID, v6: s.IPv6}
	}
	e.targets = make([]target, len(targets))
	for i, a := range targets {
		v6 := a.Is6() && !a.Is4In6()
		si := e.sockFor(v6)
		if si < 0 {
			return fmt.Errorf("icmp: target %v is an IPv%d address, and the run has no IPv%[2]d socket", a, map[bool]int{false: 4, true: 6}[v6])
		}
		if !v6 && !a.Is4() {
			return fmt.Errorf("icmp: target %v is not an IPv4 address", a)
		}
		e.targets[i] = target{addr: a, sock: uint8(si)}
	}
	return nil
}

// sockFor returns the index of the run's socket for IPv6 (v6) or IPv4
// targets, or -1.
func (e *Engine) sockFor(v6 bool) int {
	for i := range e.socks {
		if e.socks[i].v6 == v6 {
			return i
		}
	}
	return -1
}

// sockOf returns the socket target ti is probed over.
func (e *Engine) sockOf(ti int) *echoSock { return &e.socks[e.targets[ti].sock] }

// An echoSock is one socket of a run: IPv4 (ICMP echo) or IPv6 (ICMPv6
// echo), with the identifier its requests carry.
type echoSock struct {
	c    Conn
	id   uint16
	v6   bool     // ICMPv6 echo (types 128 and 129) to IPv6 targets
	fast fastConn // c's I/O without waiting, if it has it; nil otherwise

	// The request every probe is built from (build): sequence, probe
	// number and checksum zero; nil when the payload is too short to
	// hold the probe number. tmplSum is its sum (RFC 1071).
	tmpl    []byte
	tmplSum uint64
	token   Token
	size    int
	pattern []byte
}
