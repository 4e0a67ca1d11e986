package endpoint

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Mode is what a server does with what it receives.
type Mode int

// The modes. The zero Mode is not valid; Config treats it as Echo.
const (
	_ Mode = iota
	// Echo sends back every byte received (RFC 862).
	Echo
	// Discard throws away everything received (RFC 863).
	Discard
	// Chargen sends lines of printable ASCII (RFC 864): on a stream
	// without end, on datagrams one reply of 0 to 512 bytes per datagram.
	Chargen
	// Daytime sends the date and time as one line (RFC 867), then closes.
	Daytime
	// Fixed sends Config.Reply: once per connection, then closes, or once
	// per datagram.
	Fixed
)

var modeNames = [...]string{Echo: "echo", Discard: "discard", Chargen: "chargen", Daytime: "daytime", Fixed: "fixed"}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	if m > 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode returns the mode named s (echo, discard, chargen, daytime or
// fixed), ignoring case.
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if name != "" && strings.EqualFold(s, name) {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("endpoint: unknown mode %q (want echo, discard, chargen, daytime or fixed)", s)
}

// RFC 864 pattern, as BSD inetd sends it: the 95 printable ASCII
// characters from space to tilde; line k holds 72 of
// them starting at character k, then CR LF. After 95 lines it repeats.
const (
	chargenChars   = 95
	chargenLineLen = 72 + 2
	chargenCycle   = chargenChars * chargenLineLen
)

// chargenText returns the pattern repeated to at least min bytes beyond
// one cycle, so that any window [off, off+min) with off < chargenCycle is
// contiguous. It is built once and only read.
var chargenText = sync.OnceValue(func() []byte {
	const span = 64<<10 + chargenCycle
	b := make([]byte, 0, span+chargenCycle)
	for len(b) < span {
		for k := 0; k < chargenChars; k++ {
			for j := 0; j < 72; j++ {
				b = append(b, byte(' '+(k+j)%chargenChars))
			}
			b = append(b, '\r', '\n')
		}
	}
	return b
})

// ChargenLine returns line k of the RFC 864 pattern, CR LF included.
func ChargenLine(k int) string {
	off := (k % chargenChars) * chargenLineLen
	return string(chargenText()[off : off+chargenLineLen])
}

// daytimeLayout is the form RFC 867 gives as an example:
// "Tuesday, February 22, 1982 17:37:43-PST".
const daytimeLayout = "Monday, January 2, 2006 15:04:05-MST"

// DaytimeString returns t as a daytime server sends it, CR LF included.
func DaytimeString(t time.Time) string {
	return t.Format(daytimeLayout) + "\r\n"
}
