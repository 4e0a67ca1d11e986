package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/rawkit/rawkit/raw"
)

// Listen opens the socket of an echo run. In ModeAuto it tries a raw
// socket first and falls back to a ping socket when the raw one is not
// permitted; when neither is, the error matches ErrNoPermission and
// os.ErrPermission and carries both fixes: CAP_NET_RAW (root, sudo or
// setcap) and the sysctl net.ipv4.ping_group_range.
//
// Kernel receive timestamps are on, IP_PKTINFO off. A raw socket gets a random
// identifier, Filter and ICMPFilter (Filter6 and
// ICMPFilter6 with cfg.IPv6); a ping socket's identifier
// is its local port, which the kernel writes into every request.
func Listen(cfg *ListenConfig) (*Socket, error) {
	if cfg == nil {
		cfg = &ListenConfig{}
	}
	rc := raw.Config{
		Interface:     cfg.Interface,
		Source:        cfg.Source,
		TTL:           cfg.TTL,
		TOS:           cfg.TOS,
		Mark:          cfg.Mark,
		ReceiveBuffer: cfg.ReceiveBuffer,
		Timestamps:    true,
		DropCount:     true, // Message.Drops, for a Monitor's SocketDrops
		// The engine reads neither the interface nor, from an ordinary
		// read, the destination: no IP_PKTINFO message on every reply.
		NoPacketInfo: true,
		// Send stamps only where each names its probe (SCM_TS_OPT_ID):
		// a count of sends could be thrown off by one failed write.
		SendStamps: cfg.SendStamps && raw.PerSendStampKeys(),
	}
	switch cfg.DontFragment {
	case "":
	case "do":
		rc.DontFragment = raw.DFDo
	case "dont":
		rc.DontFragment = raw.DFDont
	case "want":
		rc.DontFragment = raw.DFWant
	default:
		return nil, fmt.Errorf("icmp: don't-fragment mode %q is not do, dont or want", cfg.DontFragment)
	}
	var rawErr error
	if cfg.Mode == ModeAuto || cfg.Mode == ModeRaw {
		s, err := listenRaw(rc, cfg.IPv6)
		if err == nil {
			rc := s.Conn.(*rawConn)
			rc.dev, rc.src = cfg.Interface, cfg.Source
		}
		if err == nil || cfg.Mode == ModeRaw || !errors.Is(err, os.ErrPermission) {
			return s, err
		}
		rawErr = err
	}
	// A ping socket gets the ICMP errors its requests cause only from its
	// error queue (icmp(7)).
	pc := rc
	pc.RecvErr = true
	listenPing := raw.ListenPing
	if cfg.IPv6 {
		listenPing = raw.ListenPing6
	}
	c, err := listenPing(&pc)
	if err != nil {
		if rawErr != nil && errors.Is(err, os.ErrPermission) {
			return nil, &permissionError{raw: rawErr, ping: err}
		}
		return nil, err
	}
	return &Socket{Conn: &rawConn{c: c, dev: cfg.Interface, src: cfg.Source, stamps: pc.SendStamps},
		ID: uint16(c.LocalPort()), Mode: ModePing, IPv6: cfg.IPv6}, nil
}

func listenRaw(rc raw.Config, v6 bool) (*Socket, error) {
	var b [2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("icmp: identifier: %w", err)
	}
	id := binary.BigEndian.Uint16(b[:])
	var c *raw.Conn
	var err error
	if v6 {
		// The kernel fills in the ICMPv6 checksum of what a raw ICMPv6
		// socket sends (RFC 3542 3.1).
		rc.Filter, rc.ICMP6Filter = Filter6(id), ICMPFilter6()
		c, err = raw.ListenIPv6(icmp.ProtocolICMPv6, &rc)
	} else {
		rc.Filter, rc.ICMPFilter = Filter(id), ICMPFilter()
		c, err = raw.ListenIPv4(icmp.ProtocolICMP, &rc)
	}
	if err != nil {
		return nil, err
	}
	return &Socket{Conn: &rawConn{c: c, stamps: rc.SendStamps}, ID: id, Mode: ModeRaw, IPv6: v6}, nil
}

// permissionError carries why both kinds of socket were refused.
type permissionError struct{ raw, ping error }

func (e *permissionError) Error() string {
	return fmt.Sprintf("no raw socket (%v) and no ping socket (%v)", e.raw, e.ping)
}

func (e *permissionError) Is(target error) bool {
	return target == ErrNoPermission || target == os.ErrPermission
}

func (e *permissionError) Unwrap() []error { return []error{e.raw, e.ping} }

// rawConn adapts a raw.Conn to Conn and fastConn. Its ReadBatch is for
// one reader.
type rawConn struct {
	c   *raw.Conn
	ms  []raw.Message
	dev string     // the interface the socket is bound to, if any
	src netip.Addr // the source it is bound to, if any
	// stamps: raw.Config.SendStamps with per-send keys; reads return
	// the stamps (icmp.Message.Stamp).
	stamps bool
}

var _ fastConn = (*rawConn)(nil)

// fromRaw sets m from a message raw read into m.Buf; false means m is to
// be skipped.
func fromRaw(m *icmp.Message, rm *raw.Message) bool {
	q := icmp.QueuedError{}
	switch rm.ExtErr.Origin {
	case raw.ErrOriginNone:
	case raw.ErrOriginICMP, raw.ErrOriginICMP6:
		q = icmp.QueuedError{Valid: true, Type: rm.ExtErr.Type, Code: rm.ExtErr.Code, Info: rm.ExtErr.Info, Dst: rm.Dst}
	case raw.ErrOriginTimestamping:
		*m = icmp.Message{Buf: m.Buf, Data: rm.Data[:0], TTL: -1,
			Stamp: icmp.SendStamp{Valid: true, Key: rm.ExtErr.Key, Time: rm.ExtErr.Stamp}}
		return true
	default:
		return false // a local error: the write that caused it failed too
	}
	m.Data, m.Src, m.TTL, m.Received, m.Queued, m.Drops = rm.Data, rm.Src, rm.TTL, rm.Received, q, rm.Drops
	m.Stamp.Valid = false
	return true
}

func (r *rawConn) send(b []byte, dst netip.Addr) (bool, error) {
	_, err := r.c.TryWriteTo(b, dst)
	if err == raw.ErrWouldBlock {
		return false, nil
	}
	return true, r.tooLong(err, dst)
}

func (r *rawConn) recv(m *icmp.Message) (bool, error) {
	rm, err := r.c.TryReadMsg(m.Buf)
	switch {
	case err == raw.ErrWouldBlock:
		return false, nil
	case err != nil:
		return false, err
	case !fromRaw(m, &rm):
		m.Data = nil // the caller skips it
	}
	return true, nil
}

func (r *rawConn) ReadBatch(ctx context.Context, ms []icmp.Message) (int, error) {
	if cap(r.ms) < len(ms) {
		r.ms = make([]raw.Message, len(ms))
	}
	rm := r.ms[:len(ms)]
	for i := range ms {
		rm[i].Buf = ms[i].Buf
	}
	n, err := r.c.ReadBatch(ctx, rm)
	k := 0
	for i := range n {
		if k != i { // keep every buffer in use once
			ms[k].Buf, ms[i].Buf = ms[i].Buf, ms[k].Buf
		}
		if fromRaw(&ms[k], &rm[i]) {
			k++
		}
	}
	return k, err
}

func (r *rawConn) WriteTo(ctx context.Context, b []byte, dst netip.Addr) (int, error) {
	n, err := r.c.WriteToAddr(ctx, b, dst)
	return n, r.tooLong(err, dst)
}

// writeToWith sends b to dst with per-probe options (a Monitor's
// targets' TOS and source), as control messages.
func (r *rawConn) writeToWith(b []byte, dst netip.Addr, o raw.SendOptions) error {
	_, err := r.c.WriteToWith(background, b, dst, o)
	return r.tooLong(err, dst)
}

// sendStampKeys implements stampConn.
func (r *rawConn) sendStampKeys() bool { return r.stamps }

func (r *rawConn) SetReadDeadline(t time.Time) error { return r.c.SetReadDeadline(t) }
func (r *rawConn) Close() error                      { return r.c.Close() }
