package spec

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/craft"
)

// Spec is a compiled packet spec, such as
//
//	ip(dst=10.0.0.2, ttl=1-3)/udp(dport=[53,123])/raw("hi")
//
// It describes Count packets: the product of the alternatives of every
// field given as a range or a list. See Help for the language.
type Spec struct {
	src    string
	layers []specLayer
	count  int
}

type specLayer struct {
	def  *layerDef
	col  int
	sets []specSet
	keep craft.Field
}

type specSet struct {
	f     *field
	col   int
	one   value   // the value, unless a list gave alts
	alts  []value // a list's values
	count int
}

// Packet is one packet of a spec: its layers, as craft.Literal
// wrappers naming the fields the spec set, and its bytes.
type Packet struct {
	Layers []gopacket.SerializableLayer
	Bytes  []byte
	// Src and Dst are the outermost IP header's addresses.
	Src, Dst netip.Addr

	defs   []*layerDef
	builds []build
}

// Config tunes building a spec's packets. A nil *Config means the
// defaults.
type Config struct {
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

// ErrInvalid is matched by every *Error with errors.Is. Its text is the
// one it had when the language was part of package craft.
var ErrInvalid = errors.New("craft: bad packet spec")

// Is makes errors.Is(err, ErrInvalid) true for spec errors.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Parse compiles spec and builds its packets with the default
// configuration; see ParseConfig.
func Parse(spec string) ([]Packet, error) { return ParseConfig(spec, nil) }

// ParseConfig compiles spec and builds every packet it describes, in
// order: the leftmost field given several values changes slowest, the
// rightmost fastest, as in nested loops. Errors are *Error.
func ParseConfig(spec string, cfg *Config) ([]Packet, error) {
	s, err := Compile(spec, cfg)
	if err != nil {
		return nil, err
	}
	return s.Build(cfg)
}

// Compile parses spec and checks every field, without building. The
// number of packets is checked against cfg's MaxPackets.
func Compile(spec string, cfg *Config) (*Spec, error) {
	if err := checkSpecInput(spec); err != nil {
		return nil, err
	}
	limit := DefaultMaxPackets
	if cfg != nil && cfg.MaxPackets > 0 {
		limit = cfg.MaxPackets
	}
	// Each layer is compiled as soon as it is read, so one buffer holds
	// the arguments of every layer in turn, and the field settings of all
	// layers share one array.
	p := parser{src: spec, args: make([]arg, 0, 8)}
	s := &Spec{src: spec, count: 1, layers: make([]specLayer, 0, 1+strings.Count(spec, "/"))}
	arena := make([]specSet, 0, 1+strings.Count(spec, "="))
	for i := 0; ; i++ {
		la, done, err := p.nextLayer()
		if err != nil {
			return nil, err
		}
		need := len(la.args)
		if cap(arena)-len(arena) < need {
			arena = make([]specSet, 0, need)
		}
		l, err := s.compileLayer(&la, i, arena[len(arena):len(arena):len(arena)+need])
		if err != nil {
			return nil, err
		}
		arena = arena[:len(arena)+len(l.sets)]
		for k := range l.sets {
			set := &l.sets[k]
			if set.count > limit || s.count > limit/set.count {
				return nil, errorf(spec, set.col, "spec expands to more than %d packets (limit %d): narrow the ranges and lists", limit, limit)
			}
			s.count *= set.count
		}
		s.layers = append(s.layers, l)
		if done {
			break
		}
	}
	for _, l := range s.layers[:len(s.layers)-1] {
		if l.def == rawDef {
			return nil, errorf(spec, l.col, "raw(...) must be the last layer")
		}
	}
	return s, nil
}

// Count returns how many packets the spec describes.
func (s *Spec) Count() int { return s.count }

// String returns the spec as written.
func (s *Spec) String() string { return s.src }

func layerNames() []string {
	out := make([]string, len(specLayers))
	for i, d := range specLayers {
		out[i] = d.name
	}
	return out
}

func findLayerDef(name string) *layerDef {
	for _, d := range specLayers {
		if d.name == name {
			return d
		}
		for _, a := range d.aliases {
			if a == name {
				return d
			}
		}
	}
	return nil
}

func (d *layerDef) field(name string) *field {
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

func (d *layerDef) fieldNames() []string {
	out := make([]string, 0, len(d.fields))
	for _, f := range d.fields {
		out = append(out, f.name)
	}
	return out
}

// compileLayer appends the layer's field settings to sets, which has room
// for them.
func (s *Spec) compileLayer(la *layerAST, i int, sets []specSet) (specLayer, error) {
	name := strings.ToLower(la.name)
	d := findLayerDef(name)
	if d == nil {
		return specLayer{}, errorf(s.src, la.col, "unknown layer '%s'%s", la.name,
			suggestOr(name, layerNames(), "; layers are "+strings.Join(layerNames(), ", ")))
	}
	if i == 0 && d != ipDef && d != ip6Def {
		return specLayer{}, errorf(s.src, la.col, "a spec starts with ip(...) or ip6(...): %s(...) needs an IP header to carry it", name)
	}
	l := specLayer{def: d, col: la.col, sets: sets}
	for k := range la.args {
		a := &la.args[k]
		if a.name == "" {
			if d != rawDef || len(l.sets) > 0 {
				return l, errorf(s.src, a.col, "value without a field name in %s(...): write NAME=VALUE, e.g. %s=%s", name, d.fields[0].name, d.fields[0].def)
			}
			a.name = "load"
		}
		f := d.field(strings.ToLower(a.name))
		if f == nil {
			return l, errorf(s.src, a.col, "unknown field '%s' in %s(...)%s", a.name, name,
				suggestOr(strings.ToLower(a.name), d.fieldNames(), "; fields are "+strings.Join(d.fieldNames(), ", ")))
		}
		for k := range l.sets {
			prev := &l.sets[k]
			if prev.f == f {
				return l, errorf(s.src, a.col, "field '%s' set twice in %s(...), first at column %d", f.name, name, prev.col)
			}
			if prev.f.overlap&f.overlap != 0 {
				return l, errorf(s.src, a.col, "field '%s' contradicts '%s' in %s(...): they set the same bytes", f.name, prev.f.name, name)
			}
		}
		vc := valueCtx{spec: s.src, layer: name, f: f}
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
