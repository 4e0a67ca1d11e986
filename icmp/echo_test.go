package icmp

import "testing"

func TestWrongByte(t *testing.T) {
	var tok Token
	for _, pattern := range [][]byte{nil, {0xff, 0x00}, {0x5a}} {
		m := appendEcho(nil, 1, 1, tok, 1, 100, pattern)
		p := m[echoHeaderLen:]
		if got := wrongByte(p, pattern); got != 0 {
			t.Errorf("pattern %x: intact payload reported wrong at %d", pattern, got)
		}
		for _, at := range []int{checkedFrom, 50, 99} {
			q := append([]byte(nil), p...)
			q[at] ^= 0x80
			if got := wrongByte(q, pattern); got != at {
				t.Errorf("pattern %x: byte %d changed, reported %d", pattern, at, got)
			}
		}
		q := append([]byte(nil), p...)
		q[checkedFrom-1] ^= 0x80 // iputils does not look before byte 16
		if got := wrongByte(q, pattern); got != 0 {
			t.Errorf("pattern %x: byte %d reported", pattern, got)
		}
	}
}
