package inject

import (
	"net/netip"

	packetspec "github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/raw"
)

// cacheBytes is the most packet bytes a Session opened with OpenSpec
// keeps in memory; past it, each packet is built again as it is sent, so
// that memory stays flat whatever the number and size of the packets.
const cacheBytes = 32 << 20

// BuildConfig returns the configuration Parse builds a spec's packets
// with: an unset source address is the one the kernel would use toward
// the packet's destination, through iface when it is not empty.
func BuildConfig(iface string) *packetspec.Config {
	return &packetspec.Config{Source: func(dst netip.Addr) (netip.Addr, error) {
		return Source(dst, iface)
	}}
}

// OpenSpec is Open for the packets of a compiled spec, built with build
// (BuildConfig). It builds every packet once to check it and to learn
// what sending and matching need (destinations, the protocols to
// receive, the matcher's keys), keeping the packets only when they fit
// in a few tens of megabytes; otherwise Run builds each again as it
// sends it. Build errors are *spec.Error.
func OpenSpec(sp *packetspec.Spec, build *packetspec.Config, cfg *Config) (*Session, error) {
	s := &Session{n: sp.Count(), sp: sp, build: build}
	if err := s.setConfig(cfg); err != nil {
		return nil, err
	}
	pk := sp.Packer(build)
	defer pk.Release()
	keep := make([]packetspec.Packet, 0, min(sp.Count(), 1024))
	size := 0
	for i := range s.n {
		p, err := pk.Packet(i)
		if err != nil {
			return nil, err
		}
		if err := s.note(i, &p); err != nil {
			return nil, err
		}
		if size += len(p.Bytes); keep != nil && size <= cacheBytes {
			keep = append(keep, p)
		} else {
			keep = nil
		}
	}
	s.pkts = keep
	return s.open()
}

// CheckPacket returns the error sending packet b, number n of its spec
// (from 1), would end in, before anything is sent: the raw socket's
// checks (raw.CheckPacket) for the packets it takes; the packet socket
// sends the others (those the kernel would alter) as built. A dry run
// checks its packets with it; Open checks every packet with it.
func CheckPacket(b []byte, v6 bool, n int) error {
	if kernelRewrites(b) {
		return nil
	}
	return raw.CheckPacket(b, v6, n)
}

// note records what the session needs of packet i: its destination,
// whether the packet socket sends it, the protocol its answers come in,
// and its matcher keys. It refuses a packet the socket would refuse.
func (s *Session) note(i int, p *packetspec.Packet) error {
	if i == 0 {
		s.v6 = p.Dst.Is6()
		s.dst = make([]netip.Addr, s.n)
		s.protos = map[int]bool{}
		if s.cfg.Wait > 0 {
			s.match = newMatcher(s.n)
		}
	}
	b := p.Bytes
	if err := CheckPacket(b, s.v6, i+1); err != nil {
		return err
	}
	s.dst[i] = p.Dst
	if kernelRewrites(b) {
		if s.viaLink == nil {
			s.viaLink = make([]bool, s.n)
		}
		s.viaLink[i] = true
		s.linkDsts = append(s.linkDsts, addrFrom(b[16:20]))
	}
	switch {
	case s.v6:
		if proto, _, _, ok := ipv6Upper(b); ok {
			s.protos[int(proto)] = true
		}
	case len(b) >= 20:
		s.protos[int(b[9])] = true
	}
	if s.match != nil {
		s.match.add(i, b)
	}
	return nil
}

// packet returns the bytes of packet i for sender w.
func (s *Session) packet(w, i int) ([]byte, error) {
	if s.pkts != nil {
		return s.pkts[i].Bytes, nil
	}
	p, err := s.packers[w].Packet(i)
	return p.Bytes, err
}
