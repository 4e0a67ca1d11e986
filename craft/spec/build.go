package spec

import (
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/craft"
)

// Build builds every packet of the spec; see ParseConfig.
func (s *Spec) Build(cfg *Config) ([]Packet, error) {
	pk := s.Packer(cfg)
	defer pk.Release()
	pkts := make([]Packet, 0, s.count)
	for n := 0; n < s.count; n++ {
		p, err := pk.Packet(n)
		if err != nil {
			return nil, err
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}

// A Packer builds the spec's packets one at a time, so that a program
// can stream them instead of holding them all. It is not safe for use by
// several goroutines; each takes its own.
type Packer struct {
	s   *Spec
	cfg *Config
	b   *craft.Builder
	idx []int
	sc  sourceCache
}

// Packer returns a Packer for the spec's packets, built with cfg.
func (s *Spec) Packer(cfg *Config) *Packer {
	b, _ := builders.Get().(*craft.Builder)
	if b == nil {
		b = craft.NewBuilder()
	}
	pk := &Packer{s: s, cfg: cfg, b: b}
	for _, l := range s.layers {
		for range l.sets {
			pk.idx = append(pk.idx, 0)
		}
	}
	return pk
}

// Packet builds packet n (0 <= n < Count) of the spec, in the order
// ParseConfig gives; its Bytes are its own.
func (pk *Packer) Packet(n int) (Packet, error) {
	if n < 0 || n >= pk.s.count {
		return Packet{}, errorf(pk.s.src, 0, "packet %d out of range: the spec describes %d", n, pk.s.count)
	}
	return pk.s.buildOne(pk.b, pk.cfg, n, pk.idx, &pk.sc)
}

// Release returns the Packer's buffers for reuse; it must not be used
// after.
func (pk *Packer) Release() {
	if pk.b != nil {
		builders.Put(pk.b)
		pk.b = nil
	}
}

// builders keeps Builders, and their buffers, between Builds.
var builders sync.Pool

// packetMem holds the per-layer state of a packet of up to 4 layers.
type packetMem struct {
	builds [4]build
	ls     [4]gopacket.SerializableLayer
	lits   [4]craft.Literal
	defs   [4]*layerDef
}

// sourceCache remembers the source addresses looked up in one Build.
type sourceCache struct {
	lastDst, lastSrc netip.Addr
	m                map[netip.Addr]netip.Addr
}

// pick returns the k-th value of a set's alternatives.
func (set *specSet) pick(k int) (uint64, *value) {
	if set.alts == nil {
		return set.one.lo + uint64(k), &set.one
	}
	for i := range set.alts {
		v := &set.alts[i]
		w := int(v.hi-v.lo) + 1
		if k < w {
			return v.lo + uint64(k), v
		}
		k -= w
	}
	return 0, &set.alts[0] // unreachable: k < count
}

func (s *Spec) buildOne(b *craft.Builder, cfg *Config, n int, idx []int, cache *sourceCache) (Packet, error) {
	// Packet n in mixed radix, the last field fastest.
	j := len(idx)
	for li := len(s.layers) - 1; li >= 0; li-- {
		sets := s.layers[li].sets
		for si := len(sets) - 1; si >= 0; si-- {
			j--
			idx[j] = n % sets[si].count
			n /= sets[si].count
		}
	}
	var builds []build
	var ls []gopacket.SerializableLayer
	var lits []craft.Literal
	var defs []*layerDef
	if n := len(s.layers); n <= 4 {
		m := new(packetMem) // one allocation for the usual packet
		builds, ls, lits, defs = m.builds[:n], m.ls[:n], m.lits[:n], m.defs[:n]
	} else {
		builds, ls, lits, defs = make([]build, n), make([]gopacket.SerializableLayer, n), make([]craft.Literal, n), make([]*layerDef, n)
	}
	j = 0
	var p Packet
	for li := range s.layers {
		l := &s.layers[li]
		sb := &builds[li]
		l.def.init(sb)
		for si := range l.sets {
			v, sv := l.sets[si].pick(idx[j])
			j++
			l.sets[si].f.set(sb, v, sv)
		}
		if (l.def == ipDef || l.def == ip6Def) && !sb.srcSet {
			if err := s.resolveSource(sb, cfg, l, cache); err != nil {
				return p, err
			}
		}
		lits[li] = craft.Literal{Layer: l.def.layer(sb), Keep: l.keep}
		ls[li] = &lits[li]
	}
	s.ndHopLimit(builds)
	if err := fixSourceRoutes(b, ls, builds); err != nil {
		return p, errorf(s.src, 1, "%s", strings.TrimPrefix(err.Error(), "craft: "))
	}
	out, err := b.Build(ls...)
	if err != nil {
		return p, errorf(s.src, 1, "%s", strings.TrimPrefix(err.Error(), "craft: "))
	}
	p.Layers = ls
	for i := range s.layers {
		defs[i] = s.layers[i].def
	}
	p.defs = defs
	p.builds = builds
	p.Bytes = append([]byte(nil), out...)
	if ip6 := builds[0].ip6; ip6 != nil {
		p.Src, _ = netip.AddrFromSlice(ip6.SrcIP)
		p.Dst, _ = netip.AddrFromSlice(ip6.DstIP)
	} else {
		p.Src, _ = netip.AddrFromSlice(builds[0].ip.SrcIP.To4())
		p.Dst, _ = netip.AddrFromSlice(builds[0].ip.DstIP.To4())
	}
	return p, nil
}

func (s *Spec) resolveSource(sb *build, cfg *Config, l *specLayer, cache *sourceCache) error {
	if cfg == nil || cfg.Source == nil {
		if sb.ip6 != nil {
			sb.ip6.SrcIP = sb.a6[0][:] // ::
			return nil
		}
		sb.ip.SrcIP = sb.addrs[0][:] // 0.0.0.0
		return nil
	}
	var dst netip.Addr
	if sb.ip6 != nil {
		dst, _ = netip.AddrFromSlice(sb.ip6.DstIP)
	} else {
		dst, _ = netip.AddrFromSlice(sb.ip.DstIP.To4())
	}
	src, ok := cache.lastSrc, cache.lastDst == dst && cache.lastSrc.IsValid()
	if !ok {
		src, ok = cache.m[dst]
	}
	if !ok {
		var err error
		if src, err = cfg.Source(dst); err != nil {
			col := l.col
			for _, set := range l.sets {
				if set.f.name == "dst" {
					col = set.col
				}
			}
			se := errorf(s.src, col, "no source address for dst %s: %v", dst, err)
			se.Err = err
			return se
		}
		if sb.ip6 != nil && !is6(src.WithZone("")) {
			return errorf(s.src, l.col, "source address %s for dst %s is not IPv6", src, dst)
		}
		if sb.ip6 == nil && !src.Unmap().Is4() {
			return errorf(s.src, l.col, "source address %s for dst %s is not IPv4", src, dst)
		}
		if cache.lastDst.IsValid() { // a second destination: keep them all
			if cache.m == nil {
				cache.m = map[netip.Addr]netip.Addr{cache.lastDst: cache.lastSrc}
			}
			cache.m[dst] = src
		}
	}
	cache.lastDst, cache.lastSrc = dst, src
	if sb.ip6 != nil {
		sb.a6[0] = src.As16()
		sb.ip6.SrcIP = sb.a6[0][:]
		return nil
	}
	sb.addrs[0] = src.Unmap().As4()
	sb.ip.SrcIP = sb.addrs[0][:]
	return nil
}

// fixSourceRoutes computes the checksum of a UDP or TCP layer carried in an
// IPv4 header with a loose or strict source route over the pseudo-header
// of the route's final destination, the address the receiver checks it
// against (RFC 1122 4.1.3.3, 4.2.2.7), as scapy does: it builds once with
// that destination and keeps the checksum found.
func fixSourceRoutes(b *craft.Builder, ls []gopacket.SerializableLayer, builds []build) error {
	for i := 0; i+1 < len(builds); i++ {
		if builds[i].ip == nil {
			continue
		}
		final := routeFinal(builds[i].ip.Options)
		if final == nil {
			continue
		}
		lit := ls[i+1].(*craft.Literal)
		var keep craft.Field
		switch lit.Layer.(type) {
		case *layers.UDP:
			keep = craft.UDPChecksum
		case *layers.TCP:
			keep = craft.TCPChecksum
		default:
			continue
		}
		if lit.Keep&keep != 0 {
			continue
		}
		dst := builds[i].ip.DstIP
		builds[i].ip.DstIP = final
		_, err := b.Build(ls...)
		builds[i].ip.DstIP = dst
		if err != nil {
			return err
		}
		lit.Keep |= keep
	}
	return nil
}

// routeFinal returns the last address of an LSRR or SSRR option.
func routeFinal(opts []layers.IPv4Option) net.IP {
	for _, o := range opts {
		if (o.OptionType == 131 || o.OptionType == 137) && len(o.OptionData) >= 5 {
			d := o.OptionData
			return net.IP(d[len(d)-4:])
		}
	}
	return nil
}
