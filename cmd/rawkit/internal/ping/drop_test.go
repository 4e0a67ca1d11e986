package ping

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
)

// TestPingFailsClosed: when the sockets are open but the privilege drop
// does not complete, ping stops with status 2 and one line, having sent
// nothing; only a build that cannot drop at all (errors.ErrUnsupported)
// runs on, with a warning.
func TestPingFailsClosed(t *testing.T) {
	for _, tt := range []struct {
		err      error
		wantCode int
		wantSent bool
	}{
		{fmt.Errorf("raw: drop privileges: bad SUDO_UID %q or SUDO_GID %q: %w", "abc", "1", os.ErrInvalid), 2, false},
		{errors.New("raw: drop privileges: capabilities still held"), 2, false},
		{fmt.Errorf("raw: drop privileges: cgo: %w", errors.ErrUnsupported), 0, true},
	} {
		conn := icmptest.NewConn(func(b []byte, _ netip.Addr) []icmptest.Delivery { return nil }, nil)
		ping := New(&Env{
			Resolver: clitest.NoDNS(), // no name server is asked
			Listen: func(cfg *echo.ListenConfig) (*echo.Socket, error) {
				return &echo.Socket{Conn: conn, ID: 0x1234, Mode: echo.ModeRaw, IPv6: cfg.IPv6}, nil
			},
			DropPrivileges: func() error { return tt.err },
		})
		code, _, stderr := clitest.Run(t, ping, "-c", "1", "-W", "0.01", "10.0.9.2")
		if tt.wantCode == 2 {
			if code != 2 || stderr != "rawkit ping: "+tt.err.Error()+"\n" {
				t.Errorf("drop error %v: status %d, stderr %q; want 2 and the one line", tt.err, code, stderr)
			}
		} else if !strings.Contains(stderr, "warning: privileges kept") {
			t.Errorf("drop error %v: stderr %q, want a warning", tt.err, stderr)
		}
		if sent := len(conn.Sent()) > 0; sent != tt.wantSent {
			t.Errorf("drop error %v: sent %v, want %v", tt.err, sent, tt.wantSent)
		}
	}
}
