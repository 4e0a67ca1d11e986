package traceroute

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp/trace"
)

// FuzzArgs: any command line ends in status 0, 1 or 2 (with one line
// on stderr), never a panic. No socket opens: the fake NewPath fails.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"-n\x00127.0.0.1", "-I\x00-q\x001\x00-m\x005\x00::1\x001400", "-w\x005,3,10\x00-N\x0016\x0010.0.0.1",
		"-T\x00-p\x00443\x00-f\x003\x001.2.3.4", "--mtu\x00-F\x00127.0.0.1\x0065000", "-M\x00tcp\x00-t\x00256\x00127.0.0.1", "-eUn46"} {
		f.Add(s)
	}
	traceroute := New(&Env{
		Resolver: clitest.NoDNS(), // no name server is asked
		NewPath: func(netip.Addr, *trace.Config) (*trace.Path, error) {
			return nil, errors.New("no sockets while fuzzing")
		},
		DropPrivileges: func() error { return nil },
	})
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, traceroute, s) })
}
