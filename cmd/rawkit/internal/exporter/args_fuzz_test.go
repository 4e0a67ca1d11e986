package exporter

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
	for _, s := range []string{"--config.file\x00/nonexistent.yml", "--config.file=testdata/none\x00--web.listen-address\x00127.0.0.1:0",
		"--web.config.file\x00x\x00--config.file\x00y", "-h", "--config.file"} {
		f.Add(s)
	}
	exporter := New(&Env{
		Resolver:       clitest.NoDNS(), // no name server is asked
		Listen:         func(*echo.ListenConfig) (*echo.Socket, error) { return nil, errors.New("no sockets while fuzzing") },
		DropPrivileges: func() error { return nil },
		NotifyReload:   func() (<-chan os.Signal, func()) { return nil, func() {} },
		InterfaceAddrs: noInterfaces,
	})
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, exporter, s) })
}
