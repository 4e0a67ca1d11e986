package inject

import "net/netip"

// openLink opens the packet socket that sends the packets a
// header-included raw socket would alter (kernelRewrites), when there
// are any, and resolves their next hops.
func (s *Session) openLink() error {
	var dsts []netip.Addr
	for i, p := range s.pkts {
		if !kernelRewrites(p.Bytes) {
			continue
		}
		if s.viaLink == nil {
			s.viaLink = make([]bool, len(s.pkts))
		}
		s.viaLink[i] = true
		dsts = append(dsts, addrFrom(p.Bytes[16:20]))
	}
	if dsts == nil {
		return nil
	}
	l, err := openLinkSender(dsts, s.cfg.Interface)
	if err != nil {
		return err
	}
	s.link = l
	return nil
}

// isLink reports whether packet i goes out through the packet socket.
func (s *Session) isLink(i int) bool { return s.viaLink != nil && s.viaLink[i] }
