package endpoint

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	rendpoint "github.com/rawkit/rawkit/endpoint"
)

type connectOptions struct {
	network, address string
	connectTimeout   time.Duration
	readTimeout      time.Duration
	echo             rendpoint.EchoConfig
	echoTest         bool
	json             bool
}

func parseConnect(sio *cli.Stdio, c *cli.Command, r *net.Resolver, args []string) (*connectOptions, int) {
	fs := cli.NewFlags(c)
	o := &connectOptions{connectTimeout: rendpoint.DefaultConnect}
	o.echo.Timeout = rendpoint.DefaultEchoTimeout
	// Times have no upper limit but what a Duration holds.
	fs.Var(&cli.DurationValue{P: &o.connectTimeout, Lo: time.Nanosecond, Hi: math.MaxInt64}, "connect-timeout", "")
	fs.Var(&cli.DurationValue{P: &o.readTimeout, Hi: math.MaxInt64}, "read-timeout", "")
	n := fs.Int("echo-test", 0, "")
	size := fs.String("size", "64", "")
	fs.IntVar(&o.echo.Concurrency, "concurrency", 1, "")
	fs.IntVar(&o.echo.Window, "window", 1, "")
	fs.Var(&cli.DurationValue{P: &o.echo.Timeout, Lo: time.Nanosecond, Hi: math.MaxInt64}, "timeout", "")
	fs.BoolVar(&o.json, "json", false, "")
	pos, st := parseInterleaved(sio, c, fs, args)
	if st != -1 {
		return nil, st
	}
	if len(pos) != 2 {
		return nil, cli.Failf(sio, "connect", "want NETWORK and ADDRESS, got %d arguments; run 'rawkit help connect'", len(pos))
	}
	o.network, o.address = pos[0], pos[1]
	switch o.network {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram":
	default:
		return nil, cli.Failf(sio, "connect", "unknown network %q: want tcp, udp, unix or unixgram", o.network)
	}
	if err := checkAddress(r, o.network, o.address, false); err != nil {
		return nil, cli.Failf(sio, "connect", "%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	o.echoTest = set["echo-test"]
	for _, name := range []string{"size", "concurrency", "window", "timeout", "json"} {
		if set[name] && !o.echoTest {
			return nil, cli.Failf(sio, "connect", "--%s goes with --echo-test", name)
		}
	}
	switch {
	case o.echoTest && *n < 1:
		return nil, cli.Failf(sio, "connect", "bad --echo-test %d: want 1 or more messages", *n)
	case o.echo.Concurrency < 1 || o.echo.Concurrency > 1<<20:
		return nil, cli.Failf(sio, "connect", "bad --concurrency %d: want 1 to %d", o.echo.Concurrency, 1<<20)
	case o.echo.Window < 1 || o.echo.Window > 1<<16:
		return nil, cli.Failf(sio, "connect", "bad --window %d: want 1 to %d", o.echo.Window, 1<<16)
	}
	o.echo.Messages, o.echo.ConnectTimeout = *n, o.connectTimeout
	lo, hi, err := parseSize(*size)
	if err != nil {
		return nil, cli.Failf(sio, "connect", "bad --size %q: %v", *size, err)
	}
	o.echo.Size, o.echo.MaxSize = lo, hi
	return o, -1
}

// parseSize reads S or MIN-MAX.
func parseSize(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = strconv.Atoi(a); err != nil || lo < 1 {
		return 0, 0, errors.New("want a size of 1 byte or more, or MIN-MAX")
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || hi < lo {
			return 0, 0, errors.New("want MIN-MAX with MAX at least MIN")
		}
	}
	if hi > 1<<24 {
		return 0, 0, fmt.Errorf("%d bytes is over the %d allowed", hi, 1<<24)
	}
	return lo, hi, nil
}

func runConnect(ctx context.Context, sio *cli.Stdio, cmd *cli.Command, env *Env, args []string) int {
	drop := env.drop()
	o, st := parseConnect(sio, cmd, env.resolver(), args)
	if st != -1 {
		return st
	}
	if o.echoTest {
		// The echo test dials as it goes, which needs no privilege: drop
		// before the first connection (after raising the descriptor limit,
		// which may need CAP_SYS_RESOURCE).
		raiseNoFile(o.echo.Concurrency + 64)
		if code, ok := dropPrivileges(sio, "connect", drop); !ok {
			return code
		}
		return runEchoTest(ctx, sio, o, env.echoTest())
	}
	c, err := env.dial()(ctx, o.network, o.address, &rendpoint.DialConfig{ConnectTimeout: o.connectTimeout, ReadTimeout: o.readTimeout})
	if err != nil {
		return cli.Failf(sio, "connect", "%s %s: %v", o.network, o.address, innermost(err))
	}
	defer c.Close()
	if code, ok := dropPrivileges(sio, "connect", drop); !ok {
		return code
	}
	in, closeIn := pollableInput(sio.In)
	defer closeIn()
	_, err = rendpoint.Relay(ctx, c, in, sio.Out, &rendpoint.RelayConfig{Linger: o.readTimeout})
	switch {
	case err == nil:
		return cli.ExitOK
	case errors.Is(err, os.ErrDeadlineExceeded):
		fmt.Fprintf(sio.Err, "rawkit connect: nothing received for %v\n", o.readTimeout)
		return cli.ExitNoReply
	case ctx.Err() != nil:
		return cli.ExitOK // interrupted by the user
	default:
		return cli.Failf(sio, "connect", "%s %s: %v", o.network, o.address, innermost(err))
	}
}
