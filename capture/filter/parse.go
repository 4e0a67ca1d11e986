package filter

import (
	"fmt"
)

// The syntax tree of a filter expression. Boolean nodes (node) select
// packets; arithmetic nodes (arith) compute values for relations such as
// "tcp[13] & 2 != 0".
type node interface{ position() int }

type boolNode struct {
	op   string // "and", "or"
	a, b node
	pos  int
}

type notNode struct {
	a   node
	pos int
}

// qual is a primitive's qualifiers: protocol, direction and type, as in
// "tcp src port 80". Empty strings are libpcap's Q_DEFAULT.
type qual struct {
	proto, dir, typ string
}

type primNode struct {
	q    qual
	val  token  // the id ("10.0.0.1", "80", "1000-2000"); zero for "tcp" alone
	mask *token // "net A mask M" and "net A/len": the mask or length
	pos  int
}

type relNode struct {
	op   string // ==, !=, <, <=, >, >=
	l, r *arith
	pos  int
}

type arith struct {
	op    string // "num", "len", "load", "neg", or a binary operator
	val   uint32 // num
	proto string // load: the protocol whose header the index is relative to
	size  int    // load: 1, 2 or 4 bytes
	l, r  *arith // load: l is the index; binary: operands; neg: l
	pos   int
}

func (n *boolNode) position() int { return n.pos }
func (n *notNode) position() int  { return n.pos }
func (n *primNode) position() int { return n.pos }
func (n *relNode) position() int  { return n.pos }

var (
	protoWords = map[string]bool{"ether": true, "link": true, "ip": true, "ip6": true, "arp": true, "rarp": true,
		"tcp": true, "udp": true, "icmp": true, "icmp6": true, "sctp": true, "igmp": true}
	typeWords = map[string]bool{"host": true, "net": true, "port": true, "portrange": true, "proto": true}
	relOps    = map[string]bool{"==": true, "=": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}
	// reserved words that can never be a bare id.
	reserved = map[string]bool{"and": true, "or": true, "not": true, "src": true, "dst": true, "len": true,
		"less": true, "greater": true, "mask": true, "broadcast": true, "multicast": true}
)

type parser struct {
	expr string
	toks []token
	i    int
	last qual // qualifiers a bare id inherits ("port 80 or 443")
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

// next consumes a token; at the end it keeps returning the EOF token.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *parser) is(s string) bool {
	t := p.peek()
	return t.kind != tEOF && t.text == s
}

func (p *parser) errf(t token, format string, a ...any) error {
	return &SyntaxError{Expr: p.expr, Pos: t.pos, Msg: fmt.Sprintf(format, a...)}
}

// parse returns the tree of a whole expression; an empty expression is nil
// (accept everything).
func parse(expr string) (node, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{expr: expr, toks: toks}
	if p.peek().kind == tEOF {
		return nil, nil
	}
	n, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errf(t, "unexpected %s", t)
	}
	return n, nil
}

// orExpr: "and" and "or" have the same precedence and associate left to
// right, as pcap-filter(7) says.
func (p *parser) orExpr() (node, error) {
	a, err := p.term()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		var op string
		switch t.text {
		case "and", "&&":
			op = "and"
		case "or", "||":
			op = "or"
		}
		if op == "" || t.kind == tEOF {
			return a, nil
		}
		p.next()
		b, err := p.term()
		if err != nil {
			return nil, err
		}
		a = &boolNode{op: op, a: a, b: b, pos: t.pos}
	}
}

func (p *parser) term() (node, error) {
	t := p.peek()
	switch {
	case t.kind == tEOF:
		return nil, p.errf(t, "expression ends too early")
	case t.text == "not" || t.text == "!":
		p.next()
		a, err := p.term()
		if err != nil {
			return nil, err
		}
		return &notNode{a: a, pos: t.pos}, nil
	case t.text == "(":
		// Either a parenthesised arithmetic value starting a relation,
		// "(ip[0] & 0xf) > 5", or a parenthesised boolean expression.
		save := p.i
		rel, rerr := p.relation()
		if rerr == nil {
			return rel, nil
		}
		relPos := p.toks[p.i].pos
		p.i = save
		p.next()
		n, err := p.orExpr()
		if err == nil && !p.is(")") {
			err = p.errf(p.peek(), "expected \")\", found %s", p.peek())
		}
		if err != nil {
			if se, ok := err.(*SyntaxError); ok && se.Pos < relPos {
				return nil, rerr
			}
			return nil, err
		}
		p.next()
		return n, nil
	case p.startsArith():
		save := p.i
		rel, rerr := p.relation()
		if rerr == nil {
			return rel, nil
		}
		if t.kind == tWord && !protoWords[t.text] && t.text != "len" {
			p.i = save // a bare id: "port 80 or 443"
			return p.primitive()
		}
		return nil, rerr
	}
	return p.primitive()
}

// startsArith reports whether the next tokens begin an arithmetic value.
func (p *parser) startsArith() bool {
	t := p.peek()
	if t.text == "-" || t.text == "len" {
		return true
	}
	if t.kind != tWord {
		return false
	}
	if protoWords[t.text] {
		return p.peekAt(1).text == "["
	}
	if _, ok := parseNum(t.text); ok {
		return true
	}
	_, ok := namedConst[t.text]
	return ok
}

func (p *parser) relation() (node, error) {
	l, err := p.arith(0)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if t.kind != tOp || !relOps[t.text] {
		return nil, p.errf(t, "expected a comparison (==, !=, <, <=, >, >=), found %s", t)
	}
	p.next()
	r, err := p.arith(0)
	if err != nil {
		return nil, err
	}
	op := t.text
	if op == "=" {
		op = "=="
	}
	return &relNode{op: op, l: l, r: r, pos: t.pos}, nil
}
