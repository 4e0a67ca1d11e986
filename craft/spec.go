package craft

import (
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// Spec is a compiled packet spec, such as
//
//	ip(dst=10.0.0.2, ttl=1-3)/udp(dport=[53,123])/raw("hi")
//
// It describes Count packets: the product of the alternatives of every
// field given as a range or a list. See SpecHelp for the language.
type Spec struct {
	src    string
	layers []specLayer
	count  int
}

type specLayer struct {
	def  *specLayerDef
	col  int
	sets []specSet
	keep Field
}

type specSet struct {
	f     *specField
	col   int
	one   specValue   // the value, unless a list gave alts
	alts  []specValue // a list's values
	count int
}

// SpecPacket is one packet of a spec: its layers, as craft.Literal
// wrappers naming the fields the spec set, and its bytes.
type SpecPacket struct {
	Layers []gopacket.SerializableLayer
	Bytes  []byte
	// Src and Dst are the outermost IPv4 header's addresses.
	Src, Dst netip.Addr

	defs   []*specLayerDef
	builds []specBuild
}

// SpecConfig tunes building a spec's packets. A nil *SpecConfig means the
// defaults.
type SpecConfig struct {
	// Source returns the source address of a packet to dst, for IPv4
	// layers whose src the spec leaves unset. Nil leaves them 0.0.0.0,
	// which a Linux header-included raw socket fills in (raw(7)), though
	// a UDP or TCP checksum computed over 0.0.0.0 is then wrong.
	Source func(dst netip.Addr) (netip.Addr, error)
	// MaxPackets bounds how many packets a spec may expand to:
	// DefaultMaxPackets if 0.
	MaxPackets int
}

// DefaultMaxPackets is how many packets a spec may expand to by default.
const DefaultMaxPackets = 1 << 16

// ErrSpec is matched by every *SpecError with errors.Is.
var ErrSpec = errors.New("craft: bad packet spec")

// Is makes errors.Is(err, ErrSpec) true for spec errors.
func (e *SpecError) Is(target error) bool { return target == ErrSpec }

// Parse compiles spec and builds its packets with the default
// configuration; see ParseConfig.
func Parse(spec string) ([]SpecPacket, error) { return ParseConfig(spec, nil) }

// ParseConfig compiles spec and builds every packet it describes, in
// order: the leftmost field given several values changes slowest, the
// rightmost fastest, as in nested loops. Errors are *SpecError.
func ParseConfig(spec string, cfg *SpecConfig) ([]SpecPacket, error) {
	s, err := CompileSpec(spec, cfg)
	if err != nil {
		return nil, err
	}
	return s.Build(cfg)
}

// CompileSpec parses spec and checks every field, without building. The
// number of packets is checked against cfg's MaxPackets.
func CompileSpec(spec string, cfg *SpecConfig) (*Spec, error) {
	ast, err := parseSpecAST(spec)
	if err != nil {
		return nil, err
	}
	s := &Spec{src: spec, count: 1, layers: make([]specLayer, 0, len(ast))}
	nargs := 0
	for _, la := range ast {
		nargs += len(la.args)
	}
	sets := make([]specSet, 0, nargs)
	limit := DefaultMaxPackets
	if cfg != nil && cfg.MaxPackets > 0 {
		limit = cfg.MaxPackets
	}
	for i := range ast {
		l, err := s.compileLayer(&ast[i], i, len(ast), sets[len(sets):len(sets):cap(sets)])
		if err != nil {
			return nil, err
		}
		for k := range l.sets {
			set := &l.sets[k]
			if set.count > limit || s.count > limit/set.count {
				return nil, specErrorf(spec, set.col, "spec expands to more than %d packets (limit %d): narrow the ranges and lists", limit, limit)
			}
			s.count *= set.count
		}
		s.layers = append(s.layers, l)
		sets = sets[:len(sets)+len(l.sets)]
	}
	return s, nil
}

// Count returns how many packets the spec describes.
func (s *Spec) Count() int { return s.count }

// String returns the spec as written.
func (s *Spec) String() string { return s.src }

func specLayerNames() []string {
	out := make([]string, len(specLayers))
	for i, d := range specLayers {
		out[i] = d.name
	}
	return out
}

func specFindLayerDef(name string) *specLayerDef {
	for _, d := range specLayers {
		if d.name == name {
			return d
		}
	}
	return nil
}

func (d *specLayerDef) field(name string) *specField {
	for i := range d.fields {
		f := &d.fields[i]
		if f.name == name {
			return f
		}
		for _, a := range f.aliases {
			if a == name {
				return f
			}
		}
	}
	return nil
}

func (d *specLayerDef) fieldNames() []string {
	out := make([]string, 0, len(d.fields))
	for _, f := range d.fields {
		out = append(out, f.name)
	}
	return out
}

// compileLayer appends the layer's field settings to sets, which has room
// for them.
func (s *Spec) compileLayer(la *specLayerAST, i, n int, sets []specSet) (specLayer, error) {
	name := strings.ToLower(la.name)
	d := specFindLayerDef(name)
	if d == nil {
		return specLayer{}, specErrorf(s.src, la.col, "unknown layer '%s'%s", la.name,
			specSuggestOr(name, specLayerNames(), "; layers are "+strings.Join(specLayerNames(), ", ")))
	}
	switch {
	case i == 0 && d != specIPDef:
		return specLayer{}, specErrorf(s.src, la.col, "a spec starts with ip(...): %s(...) needs an IPv4 header to carry it", name)
	case d == specRawDef && i != n-1:
		return specLayer{}, specErrorf(s.src, la.col, "raw(...) must be the last layer")
	}
	l := specLayer{def: d, col: la.col, sets: sets}
	for k := range la.args {
		a := &la.args[k]
		if a.name == "" {
			if d != specRawDef || len(l.sets) > 0 {
				return l, specErrorf(s.src, a.col, "value without a field name in %s(...): write NAME=VALUE, e.g. %s=%s", name, d.fields[0].name, d.fields[0].def)
			}
			a.name = "load"
		}
		f := d.field(strings.ToLower(a.name))
		if f == nil {
			return l, specErrorf(s.src, a.col, "unknown field '%s' in %s(...)%s", a.name, name,
				specSuggestOr(strings.ToLower(a.name), d.fieldNames(), "; fields are "+strings.Join(d.fieldNames(), ", ")))
		}
		for k := range l.sets {
			prev := &l.sets[k]
			if prev.f == f {
				return l, specErrorf(s.src, a.col, "field '%s' set twice in %s(...), first at column %d", f.name, name, prev.col)
			}
			if prev.f.overlap&f.overlap != 0 {
				return l, specErrorf(s.src, a.col, "field '%s' contradicts '%s' in %s(...): they set the same bytes", f.name, prev.f.name, name)
			}
		}
		vc := specValueCtx{spec: s.src, layer: name, f: f}
		set := specSet{f: f, col: a.col}
		var err error
		if set.one, set.alts, err = vc.values(&a.val); err != nil {
			return l, err
		}
		if set.alts == nil {
			set.count = int(min(set.one.hi-set.one.lo, 1<<40) + 1)
		}
		for _, v := range set.alts {
			set.count += int(min(v.hi-v.lo, 1<<40) + 1)
			if set.count > 1<<40 {
				break
			}
		}
		l.sets = append(l.sets, set)
		l.keep |= f.keep
	}
	return l, nil
}

// Build builds every packet of the spec; see ParseConfig.
func (s *Spec) Build(cfg *SpecConfig) ([]SpecPacket, error) {
	b, _ := specBuilders.Get().(*Builder)
	if b == nil {
		b = NewBuilder()
	}
	defer specBuilders.Put(b)
	pkts := make([]SpecPacket, 0, s.count)
	var idxBuf [16]int
	idx := idxBuf[:0]
	for _, l := range s.layers {
		for range l.sets {
			idx = append(idx, 0)
		}
	}
	var sc specSourceCache
	for n := 0; n < s.count; n++ {
		p, err := s.buildOne(b, cfg, n, idx, &sc)
		if err != nil {
			return nil, err
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}

// specBuilders keeps Builders, and their buffers, between Builds.
var specBuilders sync.Pool

// specPacketMem holds the per-layer state of a packet of up to 4 layers.
type specPacketMem struct {
	builds [4]specBuild
	ls     [4]gopacket.SerializableLayer
	lits   [4]Literal
	defs   [4]*specLayerDef
}

// specSourceCache remembers the source addresses looked up in one Build.
type specSourceCache struct {
	lastDst, lastSrc netip.Addr
	m                map[netip.Addr]netip.Addr
}

// pick returns the k-th value of a set's alternatives.
func (set *specSet) pick(k int) (uint64, *specValue) {
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

func (s *Spec) buildOne(b *Builder, cfg *SpecConfig, n int, idx []int, cache *specSourceCache) (SpecPacket, error) {
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
	var builds []specBuild
	var ls []gopacket.SerializableLayer
	var lits []Literal
	var defs []*specLayerDef
	if n := len(s.layers); n <= 4 {
		m := new(specPacketMem) // one allocation for the usual packet
		builds, ls, lits, defs = m.builds[:n], m.ls[:n], m.lits[:n], m.defs[:n]
	} else {
		builds, ls, lits, defs = make([]specBuild, n), make([]gopacket.SerializableLayer, n), make([]Literal, n), make([]*specLayerDef, n)
	}
	j = 0
	var p SpecPacket
	for li := range s.layers {
		l := &s.layers[li]
		sb := &builds[li]
		l.def.init(sb)
		for si := range l.sets {
			v, sv := l.sets[si].pick(idx[j])
			j++
			l.sets[si].f.set(sb, v, sv)
		}
		if l.def == specIPDef && !sb.srcSet {
			if err := s.resolveSource(sb, cfg, l, cache); err != nil {
				return p, err
			}
		}
		lits[li] = Literal{Layer: l.def.layer(sb), Keep: l.keep}
		ls[li] = &lits[li]
	}
	if err := fixSourceRoutes(b, ls, builds); err != nil {
		return p, specErrorf(s.src, 1, "%s", strings.TrimPrefix(err.Error(), "craft: "))
	}
	out, err := b.Build(ls...)
	if err != nil {
		return p, specErrorf(s.src, 1, "%s", strings.TrimPrefix(err.Error(), "craft: "))
	}
	p.Layers = ls
	for i := range s.layers {
		defs[i] = s.layers[i].def
	}
	p.defs = defs
	p.builds = builds
	p.Bytes = append([]byte(nil), out...)
	p.Src, _ = netip.AddrFromSlice(builds[0].ip.SrcIP.To4())
	p.Dst, _ = netip.AddrFromSlice(builds[0].ip.DstIP.To4())
	return p, nil
}

func (s *Spec) resolveSource(sb *specBuild, cfg *SpecConfig, l *specLayer, cache *specSourceCache) error {
	if cfg == nil || cfg.Source == nil {
		sb.ip.SrcIP = []byte{0, 0, 0, 0}
		return nil
	}
	dst, _ := netip.AddrFromSlice(sb.ip.DstIP.To4())
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
			return specErrorf(s.src, col, "no source address for dst %s: %v", dst, err)
		}
		if !src.Unmap().Is4() {
			return specErrorf(s.src, l.col, "source address %s for dst %s is not IPv4", src, dst)
		}
		if cache.lastDst.IsValid() {
			if cache.m == nil {
				cache.m = map[netip.Addr]netip.Addr{}
			}
			cache.m[cache.lastDst] = cache.lastSrc
		}
	}
	cache.lastDst, cache.lastSrc = dst, src
	a := src.Unmap().As4()
	sb.ip.SrcIP = a[:]
	return nil
}

// fixSourceRoutes computes the checksum of a UDP or TCP layer carried in an
// IPv4 header with a loose or strict source route over the pseudo-header
// of the route's final destination, the address the receiver checks it
// against (RFC 1122 4.1.3.3, 4.2.2.7), as scapy does: it builds once with
// that destination and keeps the checksum found.
func fixSourceRoutes(b *Builder, ls []gopacket.SerializableLayer, builds []specBuild) error {
	for i := 0; i+1 < len(builds); i++ {
		if builds[i].ip == nil {
			continue
		}
		final := specRouteFinal(builds[i].ip.Options)
		if final == nil {
			continue
		}
		lit := ls[i+1].(*Literal)
		var keep Field
		switch lit.Layer.(type) {
		case *layers.UDP:
			keep = UDPChecksum
		case *layers.TCP:
			keep = TCPChecksum
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

// specRouteFinal returns the last address of an LSRR or SSRR option.
func specRouteFinal(opts []layers.IPv4Option) net.IP {
	for _, o := range opts {
		if (o.OptionType == 131 || o.OptionType == 137) && len(o.OptionData) >= 5 {
			d := o.OptionData
			return net.IP(d[len(d)-4:])
		}
	}
	return nil
}
