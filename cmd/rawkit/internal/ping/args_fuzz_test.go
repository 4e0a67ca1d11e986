package ping

import (
	"errors"
	"os"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	"github.com/rawkit/rawkit/icmp/echo"
)

// FuzzArgs: any command line ends in status 0, 1 or 2 (with one line
// on stderr), never a panic. No socket opens: the fake Listen fails.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"-c\x003\x00127.0.0.1", "-i\x000.2\x00-s\x0065507\x00::1", "-W\x001e-12\x0010.0.0.1",
		"-c\x00010\x00-p\x00ff00\x00127.1", "--rate\x00NaN\x00127.0.0.1", "-M\x00do\x00-Q\x00256\x001.2.3.4", "-fnq\x00-l\x003"} {
		f.Add(s)
	}
	ping := New(&Env{
		Resolver:       clitest.NoDNS(), // no name server is asked
		Listen:         func(*echo.ListenConfig) (*echo.Socket, error) { return nil, errors.New("no sockets while fuzzing") },
		DropPrivileges: func() error { return nil },
		NotifyQuit:     func() (<-chan os.Signal, func()) { return nil, func() {} },
	})
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, ping, s) })
}
