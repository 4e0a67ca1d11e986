package endpoint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
	rendpoint "github.com/rawkit/rawkit/endpoint"
)

// errFuzz is what the fakes' sockets answer: while fuzzing nothing is
// opened, bound or dialled.
var errFuzz = errors.New("no sockets while fuzzing")

// fuzzEnv is an Env whose Listen, Dial and EchoTest open nothing, and
// which asks no name server.
func fuzzEnv() *Env {
	return &Env{
		Resolver:       clitest.NoDNS(),
		DropPrivileges: func() error { return nil },
		Notify:         func(chan<- os.Signal, ...os.Signal) {},
		Listen: func(context.Context, string, string, *rendpoint.Config) (*rendpoint.Server, error) {
			return nil, errFuzz
		},
		Dial: func(context.Context, string, string, *rendpoint.DialConfig) (*rendpoint.Conn, error) {
			return nil, errFuzz
		},
		EchoTest: func(context.Context, string, string, *rendpoint.EchoConfig) (*rendpoint.EchoReport, error) {
			return nil, errFuzz
		},
	}
}

// FuzzServeArgs: any serve command line ends in status 0, 1 or 2 (with
// one line on stderr), never a panic; no socket opens.
func FuzzServeArgs(f *testing.F) {
	for _, s := range []string{"tcp\x00127.0.0.1:0", "udp\x00[::1]:7\x00--mode\x00chargen", "unix\x00/tmp/x.sock\x00--json",
		"tcp\x00:0\x00--reply\x00hi\x00--max-conns\x0010\x00--idle\x0030s", "udpx\x00a:b", "tcp\x00h:1\x00--drain\x00-1s",
		"tcp\x00127.0.0.1:http\x00--max-size\x0099999999999"} {
		f.Add(s)
	}
	serve := NewServe(fuzzEnv())
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, serve, s) })
}

// FuzzConnectArgs: any connect command line ends in status 0, 1 or 2
// (with one line on stderr), never a panic; no socket opens.
func FuzzConnectArgs(f *testing.F) {
	for _, s := range []string{"tcp\x00127.0.0.1:7", "udp\x00[::1]:7\x00--echo-test\x00100\x00--size\x0064-1500",
		"unixgram\x00/tmp/x.sock\x00--read-timeout\x001s", "tcp\x00h:1\x00--echo-test\x001\x00--concurrency\x001e9",
		"tcp\x00127.0.0.1:7\x00--window\x000\x00--timeout\x00NaN\x00--json", "tcp\x00[fe80::1%eth0]:22\x00--connect-timeout\x002s"} {
		f.Add(s)
	}
	connect := NewConnect(fuzzEnv())
	f.Fuzz(func(t *testing.T, s string) { clitest.FuzzArgs(t, connect, s) })
}

// TestEndpointEnvOpeners: serve and connect open their sockets through
// their Env, so that the fuzz targets' fakes stand for all of them.
func TestEndpointEnvOpeners(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c    *cli.Command
		args []string
	}{
		{NewServe(fuzzEnv()), []string{"tcp", "127.0.0.1:0"}},
		{NewServe(fuzzEnv()), []string{"unixgram", filepath.Join(t.TempDir(), "s.sock")}},
		{NewConnect(fuzzEnv()), []string{"udp", "127.0.0.1:7"}},
		{NewConnect(fuzzEnv()), []string{"tcp", "127.0.0.1:7", "--echo-test", "1"}},
	} {
		code, _, errs := clitest.Run(t, tc.c, tc.args...)
		if code != cli.ExitError || !strings.Contains(errs, errFuzz.Error()) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s %q: status %d, stderr %q; want status 2 and the fake's error", tc.c.Name, tc.args, code, errs)
		}
	}
}
