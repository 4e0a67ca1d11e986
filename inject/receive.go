package inject

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/rawkit/rawkit/raw"
	"golang.org/x/net/ipv4"
)

// answerTypes are the ICMP messages that can answer a packet: replies to
// queries and errors. The receive socket filters out the rest (ICMP_FILTER,
// raw(7)), the echo requests of a flood to a local address among them.
var answerTypes = []ipv4.ICMPType{0, 3, 4, 5, 11, 12, 14, 16, 18}

func (s *Session) openReceivers() error {
	return s.openReceiversFor(1, raw.ListenIPv4, func(cfg *raw.Config) {
		var f ipv4.ICMPFilter
		f.SetAll(true)
		for _, t := range answerTypes {
			f.Accept(t)
		}
		cfg.ICMPFilter = &f
	})
}

// openReceiversFor opens the receive sockets of one family: its ICMP
// protocol icmp, always, with the type filter filter sets, and TCP and
// UDP when a packet carries them (as note found). recvProto records each
// socket's protocol.
func (s *Session) openReceiversFor(icmp int,
	listen func(int, *raw.Config) (*raw.Conn, error), filter func(*raw.Config)) error {
	protos := map[int]bool{icmp: true, 6: s.protos[6], 17: s.protos[17]}
	for _, proto := range []int{icmp, 6, 17} {
		if !protos[proto] {
			continue
		}
		cfg := &raw.Config{Interface: s.cfg.Interface, Timestamps: true, ReceiveBuffer: 4 << 20}
		if proto == icmp {
			filter(cfg)
		}
		c, err := listen(proto, cfg)
		if err != nil {
			return err
		}
		s.recv = append(s.recv, c)
		s.recvProto = append(s.recvProto, proto)
	}
	return nil
}

// receive reads c until ctx is done and passes on the answers.
func (s *Session) receive(ctx context.Context, c *raw.Conn, out chan<- Answer) {
	buf := make([]byte, 65536)
	for {
		m, err := c.ReadMsg(ctx, buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) || errors.Is(err, raw.ErrNotImplemented) {
				return
			}
			continue // a truncated or malformed packet: read the next
		}
		pkt := m.Buf[:len(m.Header)+len(m.Data)]
		if !s.pass(ctx, pkt, m.Received, out) {
			return
		}
	}
}

// pass hands out pkt, received at the given time (now if zero), when it
// answers a packet of the session; false once ctx is done.
func (s *Session) pass(ctx context.Context, pkt []byte, received time.Time, out chan<- Answer) bool {
	i, ok := s.match.Match(pkt)
	if !ok {
		return true
	}
	if received.IsZero() {
		received = time.Now()
	}
	select {
	case out <- Answer{Index: i, Data: append([]byte(nil), pkt...), Received: received}:
		return true
	case <-ctx.Done():
		return false
	}
}
