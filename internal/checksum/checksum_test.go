package checksum

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// naive is RFC 1071's reference loop: 16-bit words, end-around carry after
// every addition.
func naive(b []byte, s uint32) uint16 {
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		s = s>>16 + s&0xffff
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}

func TestSumMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := Fold(Sum(b, 0)), naive(b, 0); got != want {
			t.Fatalf("len %d: Fold(Sum) = %#04x, reference %#04x", n, got, want)
		}
		if got, want := Checksum(b), ^naive(b, 0); got != want {
			t.Fatalf("len %d: Checksum = %#04x, want %#04x", n, got, want)
		}
	}
}

// A message with its checksum in place sums to 0xffff, so checks to zero.
func TestVerifiesToZero(t *testing.T) {
	t.Parallel()
	// RFC 1071 section 3's example words.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0, 0}
	if got := Fold(Sum(b[:8], 0)); got != 0xddf2 {
		t.Fatalf("RFC 1071 example: folded sum %#04x, want 0xddf2", got)
	}
	binary.BigEndian.PutUint16(b[8:], Checksum(b))
	if got := Checksum(b); got != 0 {
		t.Fatalf("checksum over a checksummed message = %#04x, want 0", got)
	}
}

func TestPseudo(t *testing.T) {
	t.Parallel()
	src, dst := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	hdr := []byte{10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 12}
	if got, want := Fold(Pseudo(src, dst, 17, 12)), naive(hdr, 0); got != want {
		t.Fatalf("IPv4 pseudo-header: %#04x, want %#04x", got, want)
	}
	src6, dst6 := netip.MustParseAddr("fd00::1"), netip.MustParseAddr("fd00::2")
	a, b := src6.As16(), dst6.As16()
	hdr6 := append(append(append([]byte{}, a[:]...), b[:]...), 0, 1, 0, 4, 0, 0, 0, 58)
	if got, want := Fold(Pseudo(src6, dst6, 58, 0x10004)), naive(hdr6, 0); got != want {
		t.Fatalf("IPv6 pseudo-header: %#04x, want %#04x", got, want)
	}
}

func BenchmarkChecksum1500(b *testing.B) {
	buf := make([]byte, 1500)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		Checksum(buf)
	}
}
