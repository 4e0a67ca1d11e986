package trace

import (
	"github.com/rawkit/rawkit/raw"
)

// probeRaw is the probe socket: a pathRaw that reports its packets'
// send stamps (raw.Conn.EnableSendStamps).
type probeRaw struct {
	pathRaw
	buf [32]raw.SendStamp
}

// newProbeConn wraps the probe socket, with send stamps when the kernel
// gives them (*stamps is then set); a kernel that does not leaves the
// round trips to the times taken before the writes. The send numbers
// start from 0 here, before the first probe.
func newProbeConn(c *raw.Conn, stamps *bool) pathConn {
	if *stamps = c.EnableSendStamps() == nil; *stamps {
		return &probeRaw{pathRaw: pathRaw{c: c}}
	}
	return &pathRaw{c: c}
}

// TryReadStamps implements sendStamper.
func (p *probeRaw) TryReadStamps(st []sendStamp) (int, error) {
	n, err := p.c.TryReadSendStamps(p.buf[:min(len(st), len(p.buf))])
	for i, s := range p.buf[:n] {
		st[i] = sendStamp{key: s.Key, at: s.Time}
	}
	return n, err
}
