package echo

import (
	"encoding/hex"
	"testing"
)

func TestWrongByte(t *testing.T) {
	var tok Token
	for _, pattern := range [][]byte{nil, {0xff, 0x00}, {0x5a}} {
		m := appendRequest(nil, 1, 1, tok, 1, 100, pattern)
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

// TestBuildFromTemplate: a request built from the socket's template is
// byte for byte the one appendRequest (appendRequest6) builds from scratch,
// checksum included, for every size, fill and probe number, across the
// 16-bit sequence's wrap.
func TestBuildFromTemplate(t *testing.T) {
	tok := Token{0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0x00, 0x01}
	for _, v6 := range []bool{false, true} {
		for _, size := range []int{0, 1, 11, 12, 13, 56, 57, 1472, 65507} {
			for _, pattern := range [][]byte{nil, {0xff}, {0xff, 0xff, 0x00}} {
				s := echoSock{id: 0xfffe, v6: v6}
				s.setTemplate(tok, size, pattern)
				for _, probe := range []uint32{1, 2, 0xffff, 0x10000, 0x1ffff, 0xfffffffe} {
					want := appendRequest(nil, s.id, uint16(probe), tok, probe, size, pattern)
					if v6 {
						want = appendRequest6(nil, s.id, uint16(probe), tok, probe, size, pattern)
					}
					got := s.build(make([]byte, 0, 64), probe)
					if string(got) != string(want) {
						t.Fatalf("v6 %v, size %d, pattern %x, probe %#x: built\n%x\nwant\n%x", v6, size, pattern, probe, got, want)
					}
				}
			}
		}
	}
}

func TestAppendEcho6(t *testing.T) {
	b := AppendRequest6(nil, 0x0102, 0x0304, testTok, 0x0a0b0c0d, 14)
	want := "80000000" + "01020304" + "0102030405060708" + "0a0b0c0d" + "0c0d"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
