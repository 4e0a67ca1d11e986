package ping

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/raw"
)

// pingOutput is what prints a run: iputils text or JSON lines.
type pingOutput interface {
	event(*echo.Event)
	Flush()
}

func (env *Env) run(ctx context.Context, sio *cli.Stdio, args []string) int {
	o, err := parsePingArgs(args, isRoot())
	if err != nil {
		return cli.Failf(sio, "ping", "%v", err)
	}
	if o.help {
		pingDoc.WriteHelp(sio.Out)
		return cli.ExitOK
	}
	if o.version {
		fmt.Fprintln(sio.Out, buildinfo.Line("rawkit ping"))
		return cli.ExitOK
	}
	targets, err := expandTargets(ctx, env.Resolver, o.hosts, o.family)
	if err == nil {
		err = checkTargets(o, targets)
	}
	if err != nil {
		return cli.Failf(sio, "ping", "%v", err)
	}
	if len(targets) == 1 && o.iface == "" {
		// iputils connects a UDP socket to its one target first, and a
		// host it has no route to ends it there, nothing sent.
		if err := env.Route(targets[0].addr, o.source); err != nil {
			return cli.Failf(sio, "ping", "connect: %v", err)
		}
	}
	addrs, n4, n6 := families(targets)
	socks, closeSocks, err := env.listen(o, n4, n6)
	if err != nil {
		return cli.Failf(sio, "ping", "%v", err)
	}
	defer closeSocks()
	// A drop that cannot be completed stops ping before any packet
	// (fail closed); only a build that cannot drop at all (no cgo-free
	// all-threads calls, or not Linux) runs on, and says so.
	if err := env.DropPrivileges(); errors.Is(err, errors.ErrUnsupported) || errors.Is(err, raw.ErrNotImplemented) {
		fmt.Fprintf(sio.Err, "rawkit ping: warning: privileges kept: %v\n", err)
	} else if err != nil {
		return cli.Failf(sio, "ping", "%v", err)
	}

	var out pingOutput
	var text *textOut
	if o.json {
		out = newJSONOut(sio.Out, targets)
	} else {
		text = newTextOut(sio.Out, sio.Err, o, targets)
		out = text
	}
	e, err := echo.NewSockets(socks, addrs, echoConfig(o, out.event))
	if err != nil {
		return cli.Failf(sio, "ping", "%v", err)
	}
	if o.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.deadline)
		defer cancel()
	}
	if text != nil {
		text.header()
	}
	if o.flood {
		// A flood is one goroutine sending and reading in turn; with more
		// than one P the idle ones spin on the poller between its system
		// calls, which costs CPU and gives nothing.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	}
	stop := startPeriodic(out, !o.json && text.flush, e, sio, env.NotifyQuit)
	err = e.Run(ctx)
	stop()
	out.Flush()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return cli.Failf(sio, "ping", "%v", err)
	}
	return pingFinish(o, e, socks[0].Mode, text, out)
}

// listen opens a socket for each family the targets hold (n4 and n6 of
// them), as env says; closeAll closes them.
func (env *Env) listen(o *pingOpts, n4, n6 int) (socks []echo.Socket, closeAll func(), err error) {
	closeAll = func() {
		for _, s := range socks {
			s.Conn.Close()
		}
	}
	for _, fam := range []struct {
		n  int
		v6 bool
	}{{n4, false}, {n6, true}} {
		if fam.n == 0 {
			continue
		}
		sock, err := env.Listen(listenConfig(o, fam.n, fam.v6))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		socks = append(socks, *sock)
	}
	return socks, closeAll, nil
}

// pingFinish prints the summary and picks the exit status.
func pingFinish(o *pingOpts, e *echo.Engine, mode echo.Mode, text *textOut, out pingOutput) int {
	elapsed, rate := e.Elapsed()
	s := e.Stats()
	alive := 0
	switch {
	case text == nil:
		alive = out.(*jsonOut).summary(e, mode, elapsed, rate)
	case len(text.targets) == 1:
		text.summary(s, elapsed)
		if s.Received > 0 {
			alive = 1
		}
	default:
		alive = text.sweepSummary(e, elapsed, rate)
	}
	var n int
	if text != nil {
		n = len(text.targets)
	} else {
		n = len(out.(*jsonOut).targets)
	}
	switch {
	case alive == 0, alive < n:
		return cli.ExitNoReply
	case o.deadline > 0 && o.count > 0 && s.Received < o.count*n:
		return cli.ExitNoReply
	}
	return cli.ExitOK
}

func listenConfig(o *pingOpts, targets int, v6 bool) *echo.ListenConfig {
	cfg := &echo.ListenConfig{
		Interface: o.iface, Source: o.source, TTL: o.ttl, TOS: o.tos, DontFragment: o.pmtu,
		IPv6: v6,
	}
	switch o.mode {
	case "raw":
		cfg.Mode = echo.ModeRaw
	case "ping":
		cfg.Mode = echo.ModePing
	}
	if targets > 64 {
		// Room for the replies of a fast sweep until the receiver reads them.
		cfg.ReceiveBuffer = min(targets*2048, 32<<20)
	}
	return cfg
}

func echoConfig(o *pingOpts, handler func(*echo.Event)) *echo.Config {
	cfg := &echo.Config{
		Count:    o.count,
		Interval: o.interval,
		Preload:  o.preload,
		Timeout:  o.timeout,
		Rate:     o.rate,
		Size:     o.size,
		Pattern:  o.pattern,
		Handler:  handler,
	}
	if o.size == 0 {
		cfg.Size = echo.EmptyPayload
	}
	// iputils -q does not count local errors (ping_common.c skips
	// nerrors++ when quiet): not in "+N errors", nor toward -c or -w.
	cfg.UncountedLocalErrors = o.quiet
	cfg.Flood = engineFlood(o)
	if o.deadline > 0 {
		// iputils with -w: probes go on until COUNT answers, or the first error.
		cfg.CountReplies, cfg.StopOnError = true, true
	} else {
		cfg.Linger = true
	}
	return cfg
}

// engineFlood reports whether the run floods: -f without -i, or -i 0,
// which iputils runs as a flood without the dots.
func engineFlood(o *pingOpts) bool {
	return (o.flood && !o.intervalSet) || (o.intervalSet && o.interval == 0)
}

// startPeriodic starts what runs beside the engine: a flusher when lines
// are buffered, and interim statistics on SIGQUIT. The returned func
// stops them and waits.
func startPeriodic(out pingOutput, flushed bool, e *echo.Engine, sio *cli.Stdio,
	notifyQuit func() (<-chan os.Signal, func())) func() {
	done := make(chan struct{})
	finished := make(chan struct{})
	quit, stopQuit := notifyQuit()
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if !flushed {
					out.Flush()
				}
			case <-quit:
				out.Flush()
				fmt.Fprint(sio.Err, statusLine(e.Stats()))
			}
		}
	}()
	return func() {
		stopQuit()
		close(done)
		<-finished
	}
}

// statusLine is iputils' answer to SIGQUIT (ping_common.c status).
func statusLine(s echo.Stats) string {
	loss := 0
	if s.Transmitted > 0 {
		loss = (s.Transmitted - s.Received) * 100 / s.Transmitted
	}
	line := fmt.Sprintf("\r%d/%d packets, %d%% loss", s.Received, s.Transmitted, loss)
	if s.Received > 0 {
		line += fmt.Sprintf(", min/avg/ewma/max = %s/%s/%s/%s ms", ms3(s.Min()), ms3(s.Avg()), ms3(s.EWMA()), ms3(s.Max()))
	}
	return line + "\n"
}
