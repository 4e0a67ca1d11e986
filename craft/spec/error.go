package spec

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a mistake in a packet spec: what is wrong and where.
// Error gives one line ending with the column; Caret gives the spec with a
// caret under the spot, for a terminal.
type Error struct {
	Spec   string // the spec as given
	Column int    // 1-based byte offset of the spot; 0 when the spec as a whole is at fault
	Msg    string // what is wrong, e.g. "unknown field 'ttll' in ip(...); did you mean 'ttl'?"
	Err    error  // the cause, when another error is (the route lookup's); nil otherwise
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func errorf(spec string, col int, format string, a ...any) *Error {
	for i, v := range a {
		// The spec's own text, not the lists of names a message offers.
		if s, ok := v.(string); ok && len(s) > maxQuote && strings.Contains(spec, s) {
			a[i] = clip(s)
		}
	}
	return &Error{Spec: spec, Column: col, Msg: fmt.Sprintf(format, a...)}
}

// maxQuote is the most bytes of the spec's text a message quotes: a name
// or value written 60,000 bytes long is named by its start and length,
// not echoed back whole.
const maxQuote = 40

// clip shortens s to its first maxQuote bytes or so, whole runes, and
// says how long it was.
func clip(s string) string {
	if len(s) <= maxQuote {
		return s
	}
	n := maxQuote
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:n], len(s))
}

// Caret shows a spec of up to caretWhole bytes whole, and of a longer
// one caretWidth bytes on each side of the column at fault.
const (
	caretWhole = 240
	caretWidth = 60
)

// Error returns the message with the column inserted before any
// suggestion: "unknown field 'ttll' in ip(...) at column 4; did you mean 'ttl'?".
func (e *Error) Error() string {
	if e.Column <= 0 {
		return e.Msg
	}
	at := fmt.Sprintf(" at column %d", e.Column)
	if i := strings.Index(e.Msg, "; "); i >= 0 {
		return e.Msg[:i] + at + e.Msg[i:]
	}
	return e.Msg + at
}

// Caret returns two lines: the spec, indented by two spaces, and a caret
// under the column at fault. Control characters in the spec are shown as
// spaces so that the caret lines up. A long spec is cut to the part
// around the column, with "..." where it was cut.
func (e *Error) Caret() string {
	if e.Column <= 0 {
		return ""
	}
	at := min(e.Column-1, len(e.Spec))
	from, to := 0, len(e.Spec)
	if len(e.Spec) > caretWhole {
		from, to = max(at-caretWidth, 0), min(at+caretWidth, len(e.Spec))
	}
	for from > 0 && from < len(e.Spec) && !utf8.RuneStart(e.Spec[from]) {
		from--
	}
	for to < len(e.Spec) && !utf8.RuneStart(e.Spec[to]) {
		to++
	}
	var sb strings.Builder
	sb.WriteString("  ")
	pad := 0
	if from > 0 {
		sb.WriteString("...")
		pad = 3
	}
	for i, r := range e.Spec[from:to] {
		if r < ' ' || r == utf8.RuneError {
			r = ' '
		}
		sb.WriteRune(r)
		if from+i < at {
			pad++
		}
	}
	if to < len(e.Spec) {
		sb.WriteString("...")
	}
	sb.WriteString("\n  ")
	sb.WriteString(strings.Repeat(" ", pad))
	sb.WriteString("^")
	return sb.String()
}

// suggest returns "; did you mean 'x'?" for the candidate nearest to s by
// edit distance, when it is near enough to be a likely typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := levenshtein(strings.ToLower(s), c)
		if len(s) >= 3 && strings.HasPrefix(c, strings.ToLower(s)) {
			d = min(d, 1) // a name cut short
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	// One edit in four characters, at least one: "ttll" -> "ttl", but
	// not "x" -> "id".
	limit := max(1, (len(s)+3)/4)
	if bestD < 0 || bestD > limit || strings.EqualFold(best, s) && bestD == 0 {
		return ""
	}
	return "; did you mean '" + best + "'?"
}

// levenshtein returns the edit distance between a and b (insertions,
// deletions and substitutions of bytes).
func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	var rows [2][65]int
	prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
