package icmp

import (
	"bytes"
	"testing"
)

// fillRandom fills the whole buffer, with other bytes each time.
func TestFillRandom(t *testing.T) {
	var a, b [64]byte
	if err := fillRandom(a[:]); err != nil {
		t.Fatal(err)
	}
	if err := fillRandom(b[:]); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[:], b[:]) || bytes.Equal(a[32:], make([]byte, 32)) {
		t.Errorf("fillRandom gave %x and %x", a, b)
	}
}
