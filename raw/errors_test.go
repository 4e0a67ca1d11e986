package raw

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestPermissionErrorShape(t *testing.T) {
	for _, tt := range []struct {
		name  string
		errno syscall.Errno
		hint  string
		want  []string
	}{
		{"raw EPERM", syscall.EPERM, hintRaw, []string{"root", "sudo", "setcap cap_net_raw+ep BINARY"}},
		{"ping EACCES", syscall.EACCES, hintPing, []string{"net.ipv4.ping_group_range", "sudo", "setcap cap_net_raw+ep BINARY"}},
		{"mark EPERM", syscall.EPERM, hintAdmin, []string{"CAP_NET_ADMIN", "sudo"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := error(&net.OpError{Op: opListen, Net: "ip4:1",
				Err: withHint(os.NewSyscallError("socket", tt.errno), tt.hint)})
			if !errors.Is(err, os.ErrPermission) {
				t.Fatalf("errors.Is(%v, os.ErrPermission) = false", err)
			}
			var se *os.SyscallError
			if !errors.As(err, &se) || se.Err != tt.errno {
				t.Errorf("no *os.SyscallError with %v inside %v", tt.errno, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
		})
	}
	// Other errors get no hint.
	err := withHint(os.NewSyscallError("socket", syscall.EPROTONOSUPPORT), hintRaw)
	if strings.Contains(err.Error(), "setcap") {
		t.Errorf("hint on a non-permission error: %v", err)
	}
}

func TestOpErrorKeepsPollerErrors(t *testing.T) {
	inner := &net.OpError{Op: "raw-read", Net: "ip", Err: os.ErrDeadlineExceeded}
	err := opError(opRead, "ip4:1", nil, &net.OpError{Op: "read", Err: inner})
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != opRead || oe.Net != "ip4:1" {
		t.Fatalf("opError = %#v", err)
	}
	if _, nested := oe.Err.(*net.OpError); nested {
		t.Errorf("nested *net.OpError left in %v", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("errors.Is(%v, os.ErrDeadlineExceeded) = false", err)
	}
	if !errors.Is(opError(opRead, "ip4:1", nil, context.Canceled), context.Canceled) {
		t.Error("context error lost")
	}
	if opError(opRead, "ip4:1", nil, nil) != nil {
		t.Error("opError(nil) != nil")
	}
}

func TestCheckPacket(t *testing.T) {
	hdr := func(n int, vihl byte) []byte {
		b := make([]byte, n)
		if n > 0 {
			b[0] = vihl
		}
		return b
	}
	tests := []struct {
		name    string
		b       []byte
		hdrincl bool
		index   int
		want    string
	}{
		{"payload ok", make([]byte, 65515), false, -1, ""},
		{"payload empty", nil, false, -1, ""},
		{"payload too big", make([]byte, 65516), false, -1, "payload of 65516 bytes exceeds 65535"},
		{"header ok", hdr(20, 0x45), true, -1, ""},
		{"header max", hdr(65535, 0x45), true, -1, ""},
		{"header options", hdr(24, 0x46), true, -1, ""},
		{"too big", hdr(65536, 0x45), true, -1, "packet: 65536 bytes exceeds 65535"},
		{"too big in batch", hdr(70000, 0x45), true, 12, "packet 12: 70000 bytes exceeds 65535"},
		{"empty", nil, true, -1, "0 bytes is shorter than an IPv4 header"},
		{"short", hdr(19, 0x45), true, 3, "packet 3: 19 bytes is shorter"},
		{"version 6", hdr(40, 0x65), true, -1, "IP version 6, want 4"},
		{"ihl 4", hdr(20, 0x44), true, -1, "header length 16 bytes is below 20"},
		{"ihl beyond", hdr(40, 0x4f), true, -1, "header length 60 bytes exceeds the packet's 40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPacket(tt.b, tt.hdrincl, tt.index)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("checkPacket = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, os.ErrInvalid) {
				t.Fatalf("checkPacket = %v, want os.ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	pkt := make([]byte, 20)
	pkt[0] = 0x45
	copy(pkt[16:], []byte{10, 9, 8, 7})
	tests := []struct {
		name    string
		dst     netip.Addr
		hdrincl bool
		want    string
		err     string
	}{
		{"v4", netip.MustParseAddr("127.0.0.1"), false, "127.0.0.1", ""},
		{"mapped", netip.MustParseAddr("::ffff:127.0.0.2"), false, "127.0.0.2", ""},
		{"header dst", netip.Addr{}, true, "10.9.8.7", ""},
		{"explicit beats header", netip.MustParseAddr("127.0.0.3"), true, "127.0.0.3", ""},
		{"missing", netip.Addr{}, false, "", "no destination address"},
		{"v6", netip.MustParseAddr("2001:db8::1"), true, "", "destination address 2001:db8::1 is not IPv4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := destination(tt.dst, tt.hdrincl, pkt)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, os.ErrInvalid) {
					t.Fatalf("destination = %v, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("destination = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}
