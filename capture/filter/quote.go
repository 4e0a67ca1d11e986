package filter

import (
	"fmt"
	"strconv"
)

// maxQuoted is the longest expression an error quotes whole. A longer one
// is shown around the place at fault, with its length, so that a 45 KB
// expression does not come back as a 45 KB error line.
const maxQuoted = 120

// quoteExpr quotes expr for an error, as "filter %q" would when it is
// short; a longer one is cut to the 40 bytes either side of pos (a byte
// offset, or -1 for no place: then its start), marked with "…".
func quoteExpr(expr string, pos int) string {
	if len(expr) <= maxQuoted {
		return "filter " + strconv.Quote(expr)
	}
	if pos < 0 || pos > len(expr) {
		pos = 0
	}
	lo, hi := max(pos-40, 0), min(pos+40, len(expr))
	s := strconv.Quote(expr[lo:hi])
	s = s[1 : len(s)-1]
	if lo > 0 {
		s = "…" + s
	}
	if hi < len(expr) {
		s += "…"
	}
	return fmt.Sprintf("filter \"%s\" (%d bytes)", s, len(expr))
}
