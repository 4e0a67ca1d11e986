package inject

// openLink opens the packet socket that sends the packets a
// header-included raw socket would alter (kernelRewrites), when there
// are any (noted by note), and resolves their next hops.
func (s *Session) openLink() error {
	dsts := s.linkDsts
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
