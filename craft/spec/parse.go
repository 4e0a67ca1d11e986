package spec

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The spec grammar, in the spirit of scapy's expressions:
//
//	spec   = layer { "/" layer }
//	layer  = NAME [ "(" [ arg { "," arg } ] ")" ]
//	arg    = NAME "=" value | value          (a bare value only for raw's load)
//	value  = WORD | STRING | "[" [ item { "," item } ] "]"
//	item   = value [ "=" value ]             (name=value items in option lists)
//
// A WORD runs until white space or one of ( ) [ ] , = " ' and, outside
// parentheses, "/": inside them a "/" belongs to the word, so that
// dst=10.0.0.0/30 is one address block. Ranges ("1-5") and names with
// dashes ("echo-request") are words too: what a word means depends on the
// field it is given to (spec_value.go).

// node is one value of the parse tree.
type node struct {
	kind  nodeKind
	text  string // word text, or the decoded string
	col   int    // 1-based column in the spec
	items []item // list items
}

type nodeKind uint8

const (
	nodeWord nodeKind = iota
	nodeString
	nodeList
)

type item struct {
	key *node // nil for a bare value
	val *node
}

// arg is one field assignment (or, key nil, a positional value).
type arg struct {
	name string
	col  int
	val  node
}

// layerAST is one layer as written.
type layerAST struct {
	name string
	col  int
	args []arg
}

// maxSpecLen bounds the input, and so the work of parsing it.
const maxSpecLen = 64 << 10

type parser struct {
	src   string
	pos   int
	depth int   // parentheses open
	args  []arg // the arguments of the layer being read
}

// checkSpecInput bounds the input, and so the work of parsing it.
func checkSpecInput(src string) error {
	if len(src) > maxSpecLen {
		// The spec as a whole is at fault (column 0): no caret to echo
		// it back.
		return errorf(src, 0, "spec of %d bytes is longer than %d", len(src), maxSpecLen)
	}
	if !utf8.ValidString(src) {
		return errorf(src, firstInvalid(src)+1, "spec is not valid UTF-8")
	}
	return nil
}

// firstInvalid returns the offset of src's first byte that is not valid
// UTF-8.
func firstInvalid(src string) int {
	for i, r := range src {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(src[i:]); n == 1 {
				return i
			}
		}
	}
	return 0
}

// nextLayer reads the layer at the current position; its arguments are
// valid until the next call, which reuses their memory. done reports the
// end of the spec after it.
func (p *parser) nextLayer() (l layerAST, done bool, err error) {
	p.args = p.args[:0]
	p.space()
	if l, err = p.layer(); err != nil {
		return l, false, err
	}
	p.space()
	if p.pos == len(p.src) {
		return l, true, nil
	}
	if p.src[p.pos] != '/' {
		return l, false, p.errorf(p.pos, "expected '/' between layers, found %s", p.what(p.pos))
	}
	p.pos++
	return l, false, nil
}

func (p *parser) errorf(pos int, format string, a ...any) error {
	return errorf(p.src, pos+1, format, a...)
}

// what describes the input at pos for an error message.
func (p *parser) what(pos int) string {
	if pos >= len(p.src) {
		return "the end of the spec"
	}
	r, _ := utf8.DecodeRuneInString(p.src[pos:])
	return strconv.QuoteRune(r)
}

func (p *parser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// wordEnd reports whether c ends a word at the current depth.
func (p *parser) wordEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '(', ')', '[', ']', ',', '=', '"', '\'':
		return true
	case '/':
		return p.depth == 0
	}
	return false
}

func (p *parser) word() (string, int) {
	start := p.pos
	for p.pos < len(p.src) && !p.wordEnd(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos], start
}

func (p *parser) layer() (l layerAST, err error) {
	name, start := p.word()
	if name == "" {
		return layerAST{}, p.errorf(p.pos, "expected a layer name (%s), found %s", strings.Join(layerNames(), ", "), p.what(p.pos))
	}
	l = layerAST{name: name, col: start + 1}
	p.space()
	if p.pos == len(p.src) || p.src[p.pos] != '(' {
		return l, nil
	}
	open := p.pos
	p.pos++
	p.depth++
	first := len(p.args)
	defer func() {
		p.depth--
		l.args = p.args[first:len(p.args):len(p.args)]
	}()
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return l, nil
	}
	for {
		p.space()
		a, err := p.arg()
		if err != nil {
			return l, err
		}
		p.args = append(p.args, a)
		p.space()
		if p.pos == len(p.src) {
			return l, p.errorf(open, "'(' of %s is never closed", name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return l, nil
		default:
			return l, p.errorf(p.pos, "expected ',' or ')' in %s(...), found %s", name, p.what(p.pos))
		}
	}
}

func (p *parser) arg() (arg, error) {
	start := p.pos
	var a arg
	if err := p.valueInto(&a.val, 0); err != nil {
		return a, err
	}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '=' {
		if a.val.kind != nodeWord {
			return a, p.errorf(start, "expected a field name before '='")
		}
		a.name, a.col = a.val.text, a.val.col
		p.pos++
		p.space()
		err := p.valueInto(&a.val, 0)
		return a, err
	}
	a.col = a.val.col
	return a, nil
}
