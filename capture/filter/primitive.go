package filter

// primitive parses "[proto] [dir] [type] id", "[proto] proto N",
// "less N", "greater N", or a protocol name alone.
func (p *parser) primitive() (node, error) {
	start := p.peek()
	if start.kind == tWord && notSupported[start.text] {
		return nil, p.errf(start, "%q is not supported", start.text)
	}
	if start.kind == tWord && (start.text == "broadcast" || start.text == "multicast") {
		say := `"ether broadcast"`
		if start.text == "multicast" {
			say = `"ether multicast", "ip multicast" or "ip6 multicast"`
		}
		return nil, p.errf(start, "%q alone is not supported: say %s", start.text, say)
	}
	var q qual
	explicit := false
	if t := p.peek(); t.text == "less" || t.text == "greater" {
		p.next()
		v := p.next()
		if _, ok := parseNum(v.text); !ok || v.kind != tWord {
			return nil, p.errf(v, "expected a length after %q, found %s", t.text, v)
		}
		return &primNode{q: qual{typ: t.text}, val: v, pos: t.pos}, nil
	}
	if t := p.peek(); t.kind == tWord && protoWords[t.text] {
		q.proto = t.text
		explicit = true
		p.next()
	}
	if d, ok := p.direction(); ok {
		q.dir = d
		explicit = true
	}
	if t := p.peek(); t.kind == tWord && typeWords[t.text] {
		q.typ = t.text
		explicit = true
		p.next()
	}
	if !explicit {
		// A bare id inherits the qualifiers of the primitive before it.
		q = p.last
		if q == (qual{}) {
			q.typ = "host"
		}
	}
	if q.proto != "" && q.dir == "" && q.typ == "" {
		// "tcp", "ip6": the protocol alone. "ether host" etc. fall through.
		if p.is("broadcast") || p.is("multicast") {
			t := p.next()
			return &primNode{q: qual{proto: q.proto, typ: t.text}, pos: start.pos}, nil
		}
		return &primNode{q: q, pos: start.pos}, nil
	}
	if q.typ == "" && q.dir == "" {
		if t := p.peek(); t.text == "broadcast" || t.text == "multicast" {
			p.next()
			return &primNode{q: qual{proto: "ether", typ: t.text}, pos: start.pos}, nil
		}
	}
	if q.typ == "proto" && p.is("\\") {
		p.next() // "ip proto \tcp": the backslash keeps a keyword as a name
	}
	v := p.peek()
	if v.kind != tWord || reserved[v.text] || (protoWords[v.text] && q.typ != "proto") {
		what := "value"
		if q.typ != "" {
			what = q.typ
		}
		return nil, p.errf(v, "expected a %s, found %s", what, v)
	}
	p.next()
	n := &primNode{q: q, val: v, pos: start.pos}
	switch {
	case p.is("/"):
		p.next()
		m := p.next()
		if _, ok := parseNum(m.text); !ok || m.kind != tWord {
			return nil, p.errf(m, "expected a prefix length after \"/\", found %s", m)
		}
		n.mask = &m
		if n.q.typ == "" {
			n.q.typ = "net"
		}
	case p.is("mask"):
		p.next()
		m := p.next()
		if m.kind != tWord {
			return nil, p.errf(m, "expected a network mask after \"mask\", found %s", m)
		}
		n.mask = &m
	}
	if n.mask != nil && n.q.typ != "net" {
		return nil, p.errf(*n.mask, "a mask or prefix length needs \"net\"")
	}
	p.last = q
	return n, nil
}

// direction reads "src", "dst", "src or dst", "src and dst" (either order).
func (p *parser) direction() (string, bool) {
	t := p.peek()
	if t.text != "src" && t.text != "dst" {
		return "", false
	}
	p.next()
	other := map[string]string{"src": "dst", "dst": "src"}[t.text]
	if c := p.peek(); (c.text == "or" || c.text == "and") && p.peekAt(1).text == other {
		p.next()
		p.next()
		return "src " + c.text + " dst", true
	}
	return t.text, true
}

// notSupported are pcap-filter(7) keywords this compiler does not
// implement: they are refused as such, not taken for host names.
var notSupported = map[string]bool{
	"vlan": true, "mpls": true, "pppoed": true, "pppoes": true, "geneve": true,
	"gateway": true, "llc": true, "inbound": true, "outbound": true, "ifname": true,
	"atalk": true, "aarp": true, "decnet": true, "iso": true, "stp": true, "ipx": true, "netbeui": true,
}

// arith parses arithmetic with libpcap's precedence: | ^ lowest, then &,
// then << >>, then + -, then * / %, then unary minus.
func (p *parser) arith(level int) (*arith, error) {
	levels := [][]string{{"|", "^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"}}
	if level == len(levels) {
		return p.unary()
	}
	a, err := p.arith(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		found := false
		for _, op := range levels[level] {
			if t.kind == tOp && t.text == op {
				found = true
			}
		}
		if !found {
			return a, nil
		}
		p.next()
		b, err := p.arith(level + 1)
		if err != nil {
			return nil, err
		}
		if (t.text == "/" || t.text == "%") && b.op == "num" && b.val == 0 {
			return nil, p.errf(t, "division by zero")
		}
		if (t.text == "<<" || t.text == ">>") && b.op == "num" && b.val > 31 {
			// libpcap's message; the kernel refuses such a shift
			// (bpf_check_classic) and user space would mask it.
			return nil, p.errf(t, "shift by more than 31 bits")
		}
		a = fold(&arith{op: t.text, l: a, r: b, pos: t.pos})
	}
}

func (p *parser) unary() (*arith, error) {
	t := p.next()
	switch {
	case t.text == "-" && t.kind == tOp:
		a, err := p.unary()
		if err != nil {
			return nil, err
		}
		return fold(&arith{op: "neg", l: a, pos: t.pos}), nil
	case t.text == "(" && t.kind == tOp:
		a, err := p.arith(0)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.text != ")" {
			return nil, p.errf(c, "expected \")\", found %s", c)
		}
		return a, nil
	case t.kind != tWord:
		return nil, p.errf(t, "expected a number, found %s", t)
	case t.text == "len":
		return &arith{op: "len", pos: t.pos}, nil
	case protoWords[t.text] && p.is("["):
		return p.load(t)
	}
	if v, ok := parseNum(t.text); ok {
		return &arith{op: "num", val: v, pos: t.pos}, nil
	}
	if v, ok := namedConst[t.text]; ok {
		return &arith{op: "num", val: v, pos: t.pos}, nil
	}
	return nil, p.errf(t, "expected a number, found %s", t)
}

// load parses "proto[index]" and "proto[index:size]".
func (p *parser) load(proto token) (*arith, error) {
	p.next() // "["
	idx, err := p.arith(0)
	if err != nil {
		return nil, err
	}
	size := 1
	if p.is(":") {
		p.next()
		s := p.next()
		v, ok := parseNum(s.text)
		if !ok || (v != 1 && v != 2 && v != 4) {
			return nil, p.errf(s, "data size must be 1, 2 or 4, found %s", s)
		}
		size = int(v)
	}
	if c := p.next(); c.text != "]" {
		return nil, p.errf(c, "expected \"]\", found %s", c)
	}
	return &arith{op: "load", proto: proto.text, size: size, l: idx, pos: proto.pos}, nil
}

// fold computes operations on constants at compile time.
func fold(a *arith) *arith {
	if a.op == "neg" && a.l.op == "num" {
		return &arith{op: "num", val: -a.l.val, pos: a.pos}
	}
	if a.l == nil || a.r == nil || a.l.op != "num" || a.r.op != "num" {
		return a
	}
	x, y := a.l.val, a.r.val
	var v uint32
	switch a.op {
	case "+":
		v = x + y
	case "-":
		v = x - y
	case "*":
		v = x * y
	case "/":
		v = x / y
	case "%":
		v = x % y
	case "&":
		v = x & y
	case "|":
		v = x | y
	case "^":
		v = x ^ y
	case "<<":
		v = x << (y & 31)
	case ">>":
		v = x >> (y & 31)
	default:
		return a
	}
	return &arith{op: "num", val: v, pos: a.pos}
}

// namedConst are the field offsets and values pcap-filter(7) names.
var namedConst = map[string]uint32{
	"icmptype": 0, "icmpcode": 1,
	"icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5, "icmp-echo": 8,
	"icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
	"icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16,
	"icmp-maskreq": 17, "icmp-maskreply": 18,
	"icmp6type": 0, "icmp6code": 1,
	"icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4,
	"icmp6-echo": 128, "icmp6-echoreply": 129, "icmp6-routersolicit": 133, "icmp6-routeradvert": 134,
	"icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"tcpflags": 13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
}
