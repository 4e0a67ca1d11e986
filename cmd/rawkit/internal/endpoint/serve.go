package endpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	rendpoint "github.com/rawkit/rawkit/endpoint"
)

type serveOptions struct {
	network, address string
	cfg              rendpoint.Config
	json             bool
}

func parseServe(sio *cli.Stdio, c *cli.Command, r *net.Resolver, args []string) (*serveOptions, int) {
	fs := cli.NewFlags(c)
	mode := fs.String("mode", "", "")
	reply := fs.String("reply", "", "")
	maxConns := fs.Int("max-conns", 0, "")
	var idle, drain time.Duration
	fs.Var(&cli.DurationValue{P: &idle, Hi: math.MaxInt64}, "idle", "")
	maxSize := fs.Int("max-size", 0, "")
	drain = rendpoint.DefaultDrain
	fs.Var(&cli.DurationValue{P: &drain, Hi: math.MaxInt64}, "drain", "")
	jsonOut := fs.Bool("json", false, "")
	pos, st := parseInterleaved(sio, c, fs, args)
	if st != -1 {
		return nil, st
	}
	if len(pos) != 2 {
		return nil, cli.Failf(sio, "serve", "want NETWORK and ADDRESS, got %d arguments; run 'rawkit help serve'", len(pos))
	}
	o := &serveOptions{network: pos[0], address: pos[1], json: *jsonOut}
	switch o.network {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6", "unix", "unixgram":
	default:
		return nil, cli.Failf(sio, "serve", "unknown network %q: want tcp, udp, unix or unixgram", o.network)
	}
	o.cfg = rendpoint.Config{MaxConns: *maxConns, IdleTimeout: idle, MaxSize: *maxSize, Drain: drain}
	switch {
	case *mode != "":
		m, err := rendpoint.ParseMode(*mode)
		if err != nil {
			return nil, cli.Failf(sio, "serve", "unknown mode %q: want echo, discard, chargen, daytime or fixed", *mode)
		}
		o.cfg.Mode = m
	case *reply != "":
		o.cfg.Mode = rendpoint.Fixed
	}
	if o.cfg.Mode == rendpoint.Fixed {
		o.cfg.Reply = []byte(*reply)
	}
	switch {
	case *maxConns < 0:
		return nil, cli.Failf(sio, "serve", "bad --max-conns %d: want 0 or more", *maxConns)
	case *maxSize < 0 || *maxSize > 1<<24:
		return nil, cli.Failf(sio, "serve", "bad --max-size %d: want 0 to %d", *maxSize, 1<<24)
	case drain == 0:
		o.cfg.Drain = -1 // close at once
	case o.cfg.Mode == rendpoint.Fixed && *reply == "":
		return nil, cli.Failf(sio, "serve", "--mode fixed needs --reply TEXT")
	case *reply != "" && o.cfg.Mode != rendpoint.Fixed:
		return nil, cli.Failf(sio, "serve", "--reply %q goes with --mode fixed, not %v", *reply, o.cfg.Mode)
	}
	if err := checkAddress(r, o.network, o.address, true); err != nil {
		return nil, cli.Failf(sio, "serve", "%v", err)
	}
	return o, -1
}

func runServe(ctx context.Context, sio *cli.Stdio, c *cli.Command, env *Env, args []string) int {
	notify, drop := env.notify(), env.drop()
	o, st := parseServe(sio, c, env.resolver(), args)
	if st != -1 {
		return st
	}
	raiseNoFile(o.cfg.MaxConns + 64)
	// A unix socket needs no privilege, only a directory the user may
	// write: drop first, so that the socket file is the invoking user's
	// and can be removed on exit (unix(7): bind creates it; a root-owned
	// one in a sticky /tmp would outlive the dropped server).
	unixSock := o.network == "unix" || o.network == "unixgram"
	if unixSock {
		if code, ok := dropPrivileges(sio, "serve", drop); !ok {
			return code
		}
	}
	s, err := env.listen()(ctx, o.network, o.address, &o.cfg)
	if err != nil {
		return cli.Failf(sio, "serve", "%s", describeListenError(o.network, o.address, err))
	}
	if !unixSock {
		if code, ok := dropPrivileges(sio, "serve", drop); !ok {
			_ = s.Close()
			return code
		}
	}
	p := &servePrinter{w: sio.Out, json: o.json, s: s}
	p.listening()

	// A second SIGINT or SIGTERM during the drain closes at once: watch
	// for it only once the first has started the drain.
	sig := make(chan os.Signal, 1)
	defer signal.Stop(sig)
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-s.Draining():
			p.stopping(o.cfg.Drain)
			notify(sig, os.Interrupt, syscall.SIGTERM)
		case <-done:
			return
		}
		for {
			select {
			case <-sig:
				_ = s.Close()
			case <-done:
				return
			}
		}
	}()
	err = s.Serve(ctx)
	close(done)
	<-watched
	p.stats()
	if err != nil && ctx.Err() == nil {
		return cli.Failf(sio, "serve", "%v", err)
	}
	return cli.ExitOK
}

// servePrinter writes the server's events as text or JSON lines.
type servePrinter struct {
	w    io.Writer
	json bool
	s    *rendpoint.Server
}

func (p *servePrinter) emit(text string, obj map[string]any) {
	if p.json {
		b, _ := json.Marshal(obj)
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintln(p.w, text)
}

func (p *servePrinter) listening() {
	s := p.s
	p.emit(fmt.Sprintf("listening on %s %s (%v)", s.Network(), s.Addr(), s.Mode()),
		map[string]any{"event": "listening", "network": s.Network(), "address": s.Addr().String(), "mode": s.Mode().String()})
}

func (p *servePrinter) stopping(drain time.Duration) {
	open := p.s.Stats().Active
	if drain < 0 {
		drain = 0
	}
	p.emit(fmt.Sprintf("stopping: no new connections; %d open, draining for up to %v", open, drain),
		map[string]any{"event": "stopping", "open": open, "drain_s": drain.Seconds()})
}

func (p *servePrinter) stats() {
	st := p.s.Stats()
	s := p.s
	var text string
	switch s.Network() {
	case "udp", "udp4", "udp6", "unixgram":
		text = fmt.Sprintf("%s %s: %d datagrams in, %d out, %d oversize, %d dropped by the kernel, %d bytes in, %d bytes out, %d errors",
			s.Network(), s.Addr(), st.DatagramsIn, st.DatagramsOut, st.Oversize, st.KernelDrops, st.BytesIn, st.BytesOut, st.Errors)
	default:
		text = fmt.Sprintf("%s %s: %d connections, %d refused, %d idle-closed, %d cut at drain, %d bytes in, %d bytes out, %d errors",
			s.Network(), s.Addr(), st.Connections, st.Refused, st.IdleClosed, st.Cut, st.BytesIn, st.BytesOut, st.Errors)
	}
	p.emit(text, map[string]any{"event": "stats", "network": s.Network(), "address": s.Addr().String(),
		"mode": s.Mode().String(), "connections": st.Connections, "refused": st.Refused,
		"idle_closed": st.IdleClosed, "cut": st.Cut, "bytes_in": st.BytesIn, "bytes_out": st.BytesOut,
		"datagrams_in": st.DatagramsIn, "datagrams_out": st.DatagramsOut, "oversize": st.Oversize,
		"kernel_drops": st.KernelDrops, "errors": st.Errors})
}
