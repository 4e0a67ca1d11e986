package filter

import (
	"fmt"
	"strconv"
	"strings"
)

// tokKind is the lexical class of a filter token.
type tokKind int

const (
	tEOF  tokKind = iota
	tWord         // keyword, name, number or address: classified by the parser
	tOp           // punctuation and operators
)

// token is one lexeme of a filter expression with its byte offset, so that
// every error can point at the place it is about.
type token struct {
	kind tokKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

// SyntaxError is a filter expression the compiler cannot accept. Pos is the
// byte offset of the offending token in Expr.
type SyntaxError struct {
	Expr string
	Pos  int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: %s at position %d", quoteExpr(e.Expr, e.Pos), e.Msg, e.Pos+1)
}

// Two-character operators first, so that "<=" is not read as "<" "=".
var ops = []string{"&&", "||", "==", "!=", "<=", ">=", "<<", ">>",
	"(", ")", "[", "]", ":", "!", "=", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "\\"}

// lex splits expr into tokens. Words follow libpcap's scanner: letters,
// digits, '_', '.', and '-' inside a word ("icmp-echo", "1000-2000"), and
// ':' outside brackets so that IPv6 and MAC addresses stay one word while
// "ip[2:2]" still splits.
func lex(expr string) ([]token, error) {
	var toks []token
	depth := 0
	for i := 0; i < len(expr); {
		c := expr[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		if isWordStart(c) || (c == ':' && depth == 0 && i+1 < len(expr) && expr[i+1] == ':') {
			j := i
			for j < len(expr) && (isWordChar(expr[j]) || (expr[j] == ':' && depth == 0)) {
				j++
			}
			// A word ends on a letter, digit or '.', never on '-': "x-" is "x" "-".
			for j > i+1 && expr[j-1] == '-' {
				j--
			}
			toks = append(toks, token{tWord, expr[i:j], i})
			i = j
			continue
		}
		op := ""
		for _, o := range ops {
			if strings.HasPrefix(expr[i:], o) {
				op = o
				break
			}
		}
		if op == "" {
			return nil, &SyntaxError{expr, i, fmt.Sprintf("unexpected character %q", c)}
		}
		switch op {
		case "[":
			depth++
		case "]":
			depth--
		}
		toks = append(toks, token{tOp, op, i})
		i += len(op)
	}
	return append(toks, token{tEOF, "", len(expr)}), nil
}

func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isWordChar(c byte) bool { return isWordStart(c) || c == '.' || c == '-' }

// parseNum reads a number as libpcap does: decimal, 0x hexadecimal, or
// octal with a leading 0.
func parseNum(s string) (uint32, bool) {
	if strings.ContainsAny(s, "_oObB") && !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, false
	}
	return uint32(v), true
}
