package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/rawkit/rawkit/icmp/echo"
)

const pingUsage = `usage: rawkit ping [options] HOST...

Send ICMP echo requests, as iputils ping does, to one host or, fping-style,
to many: HOST is a name, an IPv4 or IPv6 address (fe80::1%eth0 for a
link-local one) or a CIDR range (127.0.0.0/20, fd00::/120; IPv6 prefixes
/112 and longer). The targets of each family share one socket: raw with
CAP_NET_RAW, otherwise a ping socket where net.ipv4.ping_group_range
allows it. A flood (-f, -i 0) takes targets of one family.

  -c COUNT     stop after COUNT probes per target (with -w: COUNT answers)
  -i SECONDS   interval between probes to a target (default 1; below
               0.002 only for root)
  -W SECONDS   time to wait for a reply (default 10)
  -w SECONDS   stop after SECONDS whatever was sent or received
  -s SIZE      payload bytes (default 56, at most 65507)
  -t TTL       IP time to live, IPv6 hop limit (1-255)
  -Q TOS       IP type of service byte, IPv6 traffic class (0-255)
  -M MODE      path MTU discovery: do, dont or want
  -I IF|ADDR   send from this interface or source address
  -l PRELOAD   send PRELOAD probes at once at the start
  -p PATTERN   fill the payload with up to 16 bytes given in hex
               (-p ff00), repeated; replies are checked against it
  -f           flood: next probe as soon as a reply comes (root only)
  -q           quiet: only the summary
  -n           print addresses, not names
  -D           print a timestamp before each line
  -O           report probes with no answer yet
  -a           audible: ring the bell on each reply
  -4, -6       IPv4 or IPv6 only (default: the family of the addresses;
               names resolve to IPv4 first)
  --rate PPS   cap the whole run at PPS probes per second
  --json       one JSON object per event and a summary, on stdout
  --mode MODE  socket: auto (default), raw or ping

Exit status: 0 when replies came (every target answered, with several),
1 when none came (or, with -w, fewer than COUNT), 2 on errors.
`

func init() {
	register(&command{
		name:    "ping",
		summary: "send ICMP echo requests, as iputils ping, or sweep many targets",
		usage:   pingUsage,
		run:     runPing,
	})
}

// listenEcho opens the run's socket; tests replace it with an in-memory one.
var listenEcho = echo.Listen

// notifyQuit delivers SIGQUIT; tests, whose fake clock cannot share
// channels with the signal handler, replace it.
var notifyQuit = notifyQuitOS

// dropPrivileges is called once the socket is open; tests replace it.
var dropPrivileges = echo.DropPrivileges

// pingOutput is what prints a run: iputils text or JSON lines.
type pingOutput interface {
	event(*echo.Event)
	Flush()
}

func runPing(ctx context.Context, io *stdio, args []string) int {
	o, err := parsePingArgs(args, isRoot())
	if err != nil {
		return failf(io, "ping", "%v", err)
	}
	if o.help {
		io.out.Write([]byte(pingUsage)) // not Fprint: the text holds a literal %
		return exitOK
	}
	targets, err := expandTargets(ctx, o.hosts, o.family)
	if err == nil {
		err = checkTargets(o, targets)
	}
	if err != nil {
		return failf(io, "ping", "%v", err)
	}
	addrs, n4, n6 := families(targets)
	var socks []echo.Socket
	for _, fam := range []struct {
		n  int
		v6 bool
	}{{n4, false}, {n6, true}} {
		if fam.n == 0 {
			continue
		}
		sock, err := listenEcho(listenConfig(o, fam.n, fam.v6))
		if err != nil {
			return failf(io, "ping", "%v", err)
		}
		defer sock.Conn.Close()
		socks = append(socks, *sock)
	}
	if err := dropPrivileges(); err != nil {
		fmt.Fprintf(io.err, "rawkit ping: warning: privileges kept: %v\n", err)
	}

	var out pingOutput
	var text *textOut
	if o.json {
		out = newJSONOut(io.out, targets)
	} else {
		text = newTextOut(io.out, io.err, o, targets)
		out = text
	}
	e, err := echo.NewSockets(socks, addrs, echoConfig(o, out.event))
	if err != nil {
		return failf(io, "ping", "%v", err)
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
	stop := startPeriodic(out, !o.json && text.flush, e, io)
	err = e.Run(ctx)
	stop()
	out.Flush()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return failf(io, "ping", "%v", err)
	}
	return pingFinish(o, e, socks[0].Mode, text, out)
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
		return exitNoReply
	case o.deadline > 0 && o.count > 0 && s.Received < o.count*n:
		return exitNoReply
	}
	return exitOK
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
func startPeriodic(out pingOutput, flushed bool, e *echo.Engine, io *stdio) func() {
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
				fmt.Fprint(io.err, statusLine(e.Stats()))
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
