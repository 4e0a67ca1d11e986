package spec

import (
	"strconv"
	"strings"
)

// The values of the spec grammar (spec_parse.go): words, quoted strings
// and lists.

// maxListDepth bounds nested lists (the parser recurses on them).
const maxListDepth = 8

func (p *parser) valueDepth(depth int) (*node, error) {
	n := new(node)
	return n, p.valueInto(n, depth)
}

// valueInto reads a value into n, which the caller owns (the parse of an
// ordinary field allocates nothing for it).
func (p *parser) valueInto(n *node, depth int) error {
	if p.pos == len(p.src) {
		return p.errorf(p.pos, "expected a value, found the end of the spec")
	}
	switch c := p.src[p.pos]; c {
	case '"', '\'':
		return p.str(c, n)
	case '[':
		if depth >= maxListDepth {
			return p.errorf(p.pos, "lists nested deeper than %d", maxListDepth)
		}
		return p.list(depth, n)
	}
	w, start := p.word()
	if w == "" {
		return p.errorf(p.pos, "expected a value, found %s", p.what(p.pos))
	}
	*n = node{kind: nodeWord, text: w, col: start + 1}
	return nil
}

func (p *parser) list(depth int, n *node) error {
	*n = node{kind: nodeList, col: p.pos + 1}
	open := p.pos
	p.pos++
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return nil
	}
	for {
		p.space()
		v, err := p.valueDepth(depth + 1)
		if err != nil {
			return err
		}
		it := item{val: v}
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == '=' {
			p.pos++
			p.space()
			val, err := p.valueDepth(depth + 1)
			if err != nil {
				return err
			}
			it = item{key: v, val: val}
		}
		n.items = append(n.items, it)
		p.space()
		if p.pos == len(p.src) {
			return p.errorf(open, "'[' is never closed")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return nil
		default:
			return p.errorf(p.pos, "expected ',' or ']' in a list, found %s", p.what(p.pos))
		}
	}
}

// str reads a quoted string with Go's escapes (\n, \t, \xff, \", \\ ...).
func (p *parser) str(q byte, n *node) error {
	start := p.pos
	i := p.pos + 1
	simple := true
	for ; i < len(p.src); i++ {
		c := p.src[i]
		if c == '\\' {
			simple = false
			i++
			continue
		}
		if c == q {
			break
		}
	}
	if i >= len(p.src) {
		return p.errorf(start, "string is never closed")
	}
	body := p.src[start+1 : i]
	p.pos = i + 1
	if simple {
		*n = node{kind: nodeString, text: body, col: start + 1}
		return nil
	}
	var sb strings.Builder
	for rest := body; len(rest) > 0; {
		r, _, tail, err := strconv.UnquoteChar(rest, q)
		if err != nil {
			off := len(body) - len(rest)
			return p.errorf(start+1+off, "bad escape in string: %s", strconv.Quote(rest[:min(len(rest), 4)]))
		}
		if r < 256 && len(rest) >= 2 && rest[0] == '\\' && (rest[1] == 'x' || (rest[1] >= '0' && rest[1] <= '7')) {
			sb.WriteByte(byte(r)) // \xff is the byte 0xff, not U+00FF
		} else {
			sb.WriteRune(r)
		}
		rest = tail
	}
	*n = node{kind: nodeString, text: sb.String(), col: start + 1}
	return nil
}
