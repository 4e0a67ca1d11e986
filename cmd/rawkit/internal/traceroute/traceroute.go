// Package traceroute is `rawkit traceroute`: the route to a host traced
// as Linux traceroute 2.1 traces and prints it (UDP, ICMP or TCP probes,
// Paris mode by default, --mtu, RFC 4950 MPLS labels with -e), in text or
// --json records, over the path engine of package icmp/trace.
package traceroute

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/buildinfo"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/target"
	"github.com/rawkit/rawkit/icmp/trace"
	"github.com/rawkit/rawkit/raw"
)

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// NewPath opens a trace's sockets (trace.New).
	NewPath func(dst netip.Addr, cfg *trace.Config) (*trace.Path, error)
	// DropPrivileges is called once they are open (raw.DropPrivileges).
	DropPrivileges func() error
	// Resolver looks up the HOST name (nil: net.DefaultResolver).
	Resolver *net.Resolver
}

// withDefaults returns a copy of env with the real function in each
// empty field.
func (env *Env) withDefaults() *Env {
	e := Env{}
	if env != nil {
		e = *env
	}
	if e.NewPath == nil {
		e.NewPath = trace.New
	}
	if e.DropPrivileges == nil {
		e.DropPrivileges = raw.DropPrivileges
	}
	return &e
}

// New returns `rawkit traceroute`, running with env's dependencies (nil:
// the real ones).
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	return &cli.Command{
		Name:    "traceroute",
		Summary: "trace the route to a host with UDP, ICMP or TCP probes (Paris mode)",
		Doc:     &traceDoc,
		Run:     env.run,
	}
}

func (env *Env) run(ctx context.Context, sio *cli.Stdio, args []string) int {
	o, err := parseTraceArgs(args)
	if err != nil {
		return cli.Failf(sio, "traceroute", "%v", err)
	}
	if o.help {
		traceDoc.WriteHelp(sio.Out)
		return cli.ExitOK
	}
	if o.version {
		fmt.Fprintln(sio.Out, buildinfo.Line("rawkit traceroute"))
		return cli.ExitOK
	}
	dst, _, err := target.Lookup(ctx, env.Resolver, o.host, o.family)
	if err != nil {
		return cli.Failf(sio, "traceroute", "%v", err)
	}
	if s := o.cfg.Source; s.IsValid() && target.IPv(s) != target.IPv(dst) {
		return cli.Failf(sio, "traceroute", "bad source address %q: not IPv%d, as %s is", s, target.IPv(dst), dst)
	}
	path, err := env.NewPath(dst, &o.cfg)
	if err != nil {
		return cli.Failf(sio, "traceroute", "%v", err)
	}
	defer path.Close()
	// A drop that cannot be completed stops traceroute before any probe
	// (fail closed); a build that cannot drop at all runs on.
	if err := env.DropPrivileges(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, raw.ErrNotImplemented) {
		return cli.Failf(sio, "traceroute", "%v", err)
	}
	w := bufio.NewWriter(sio.Out)
	defer w.Flush()
	var names *traceNames
	if !o.numeric && !o.json {
		names = newTraceNames(ctx, 8)
		defer names.stop()
	}
	var ev trace.Events
	var js *traceJSON
	if o.json {
		js = &traceJSON{w: w, dst: dst}
		ev.Hop = js.hop
	} else {
		ev = traceText(w, o, dst, path.PacketLen(), names)
	}
	sum, err := path.Run(ctx, ev)
	if js != nil {
		js.summary(sum)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return cli.ExitNoReply
	case err != nil:
		w.Flush()
		return cli.Failf(sio, "traceroute", "%v", err)
	case sum.Reached:
		return cli.ExitOK
	}
	return cli.ExitNoReply
}

// traceText prints traceroute's header to w and returns the events that
// print each hop as traceroute does, with names (nil: -n) looked up as
// answers come.
func traceText(w *bufio.Writer, o *traceOpts, dst netip.Addr, size int, names *traceNames) trace.Events {
	if o.cfg.MTU && !o.lenSet {
		size = trace.MaxLength // traceroute --mtu announces its starting size
	}
	fmt.Fprint(w, traceHeader(o.host, dst, traceMaxTTL(o), size))
	w.Flush()
	var buf []byte
	lookup := names.lookup
	if names == nil {
		lookup = nil
	}
	return trace.Events{
		Answer: names.start,
		Hop: func(h trace.Hop) {
			names.wait(h)
			buf = appendHop(buf[:0], h, lookup, o.ext)
			w.Write(buf)
			w.Flush()
		},
	}
}

func traceMaxTTL(o *traceOpts) int {
	if o.cfg.MaxTTL == 0 {
		return trace.DefaultMaxTTL
	}
	return o.cfg.MaxTTL
}
