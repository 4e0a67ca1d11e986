// Package send is the command `rawkit send`: it builds the packets a
// scapy-like spec describes (package craft/spec), sends them through package
// inject, and prints them and the answers they got.
package send

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/inject"
	"github.com/rawkit/rawkit/raw"
)

// Env holds what the command depends on that a test replaces; a nil Env
// or a zero field means the real one.
type Env struct {
	// DropPrivileges is called once the sockets are open
	// (raw.DropPrivileges). Tests that run the command inside their own
	// namespaces keep their capabilities with a function that does nothing.
	DropPrivileges func() error
}

// New returns the send command.
func New(env *Env) *cli.Command {
	drop := raw.DropPrivileges
	if env != nil && env.DropPrivileges != nil {
		drop = env.DropPrivileges
	}
	c := &cli.Command{
		Name:      "send",
		Summary:   "send packets described in a scapy-like spec, and match their answers",
		Doc:       &sendDoc,
		UsageMore: usageMore,
	}
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return run(ctx, sio, c, drop, args)
	}
	return c
}

// usageMore is the spec reference that follows the options in `rawkit
// help send`.
func usageMore() string { return "\n" + spec.Help() }

// opts are the options of one run.
type opts struct {
	spec     string
	count    int
	rate     float64
	interval time.Duration
	iface    string
	wait     waitFlag
	show     bool
	hex      bool
	pcap     string
	pcapOut  io.Writer // standard output, for -w -
	stdout   *stdoutWriter
	dryRun   bool
}

// waitFlag is --wait or --wait=TIMEOUT.
type waitFlag struct {
	set     bool
	timeout time.Duration
}

// take removes --wait and --wait=TIMEOUT from args (the flag package
// has no flags with optional values) and sets w from them.
func (w *waitFlag) take(args []string) ([]string, error) {
	out := args[:0:0]
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "wait" {
			out = append(out, a)
			continue
		}
		w.set, w.timeout = true, 2*time.Second
		if hasVal {
			if err := w.parse(val); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (w *waitFlag) parse(s string) error {
	d, err := cli.Duration("--wait", "timeout", s, time.Nanosecond, time.Hour)
	if err == nil {
		err = checkDuration("--wait", "timeout", s, d, time.Nanosecond, time.Hour)
	}
	if err != nil {
		return err
	}
	w.timeout = d
	return nil
}

func parseArgs(sio *cli.Stdio, c *cli.Command, args []string) (*opts, int) {
	o := &opts{}
	fs := cli.NewFlags(c)
	fs.IntVar(&o.count, "c", 1, "")
	rate := "0"
	fs.StringVar(&rate, "rate", rate, "")
	var interval string
	fs.StringVar(&interval, "i", "", "")
	fs.StringVar(&o.iface, "I", "", "")
	fs.BoolVar(&o.show, "show", false, "")
	fs.BoolVar(&o.hex, "hex", false, "")
	fs.StringVar(&o.pcap, "w", "", "")
	fs.BoolVar(&o.dryRun, "dry-run", false, "")
	args, err := o.wait.take(args)
	if err != nil {
		return nil, cli.Failf(sio, "send", "%v", err)
	}
	// Flags may come before and after SPEC.
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			c.PrintUsage(sio.Out)
			return nil, cli.ExitOK
		} else if err != nil {
			return nil, cli.Failf(sio, "send", "%v (rawkit help send)", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) == 0:
		return nil, cli.Failf(sio, "send", "no packet spec; try: rawkit send 'ip(dst=127.0.0.1)/icmp()' (rawkit help send)")
	case len(pos) > 1:
		return nil, cli.Failf(sio, "send", "one packet spec expected, got %d arguments (%q...); quote the spec", len(pos), pos[1])
	case o.count < 1:
		return nil, cli.Failf(sio, "send", "bad count %d: want 1 or more", o.count)
	case !parseRate(rate, &o.rate):
		return nil, cli.Failf(sio, "send", "bad rate %q for --rate: want 0 (no limit), or from 1/3600 (a packet an hour) to 1e9 packets per second", rate)
	case o.rate > 0 && interval != "":
		return nil, cli.Failf(sio, "send", "--rate and -i both pace the packets: give one")
	}
	if interval != "" {
		d, err := cli.Duration("-i", "interval", interval, 0, maxInterval)
		if err == nil {
			err = checkDuration("-i", "interval", interval, d, 0, maxInterval)
		}
		if err != nil {
			return nil, cli.Failf(sio, "send", "%v", err)
		}
		o.interval = d
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["w"] && o.pcap == "":
		return nil, cli.Failf(sio, "send", "bad file \"\" for -w: want a file name, or - for standard output")
	case set["I"] && o.iface == "":
		return nil, cli.Failf(sio, "send", "bad interface \"\" for -I: want an interface name")
	}
	if o.iface != "" {
		if _, err := net.InterfaceByName(o.iface); err != nil {
			return nil, cli.Failf(sio, "send", "unknown interface %q", o.iface)
		}
	}
	o.spec = pos[0]
	if total := int64(o.count); total > 1<<40 {
		return nil, cli.Failf(sio, "send", "bad count %d: too many packets", o.count)
	}
	return o, -1
}

func run(ctx context.Context, sio *cli.Stdio, c *cli.Command, drop func() error, args []string) int {
	o, code := parseArgs(sio, c, args)
	if o == nil {
		return code
	}
	build := inject.BuildConfig(o.iface)
	sp, err := spec.Compile(o.spec, build)
	if err != nil {
		return specFail(sio, err)
	}
	if int64(sp.Count())*int64(o.count) > 1<<40 {
		return cli.Failf(sio, "send", "%d packets %d times is too many", sp.Count(), o.count)
	}
	pkts := &packets{sp: sp, build: build}
	o.stdout = &stdoutWriter{w: sio.Out}
	sio = &cli.Stdio{In: sio.In, Out: o.stdout, Err: sio.Err}
	if o.pcap == "-" {
		// The pcap goes to standard output: the text goes to standard
		// error, as tcpdump -w - prints its own.
		o.pcapOut = sio.Out
		sio = &cli.Stdio{In: sio.In, Out: sio.Err, Err: sio.Err}
	}
	if o.dryRun {
		return dryRun(sio, o, pkts)
	}
	return sendPackets(ctx, sio, o, pkts, drop)
}

// specFail reports a spec's error, with the spec and a caret under the
// column at fault.
func specFail(sio *cli.Stdio, err error) int {
	var se *spec.Error
	if errors.As(err, &se) {
		cli.Failf(sio, "send", "%s", se.Error())
		if c := se.Caret(); c != "" {
			fmt.Fprintln(sio.Err, c)
		}
		return cli.ExitError
	}
	return cli.Failf(sio, "send", "%v", err)
}

// dryRun builds and prints the packets one at a time, after a first pass
// that checks them all as the real send does, so that a packet the send
// would refuse prints nothing and fails the dry run too.
func dryRun(sio *cli.Stdio, o *opts, pkts *packets) int {
	// The checks the real send makes before it sends (inject.Open).
	v6 := false
	err := pkts.each(func(i int, p *spec.Packet) error {
		if i == 0 {
			v6 = p.Dst.Is6()
		}
		return inject.CheckPacket(p.Bytes, v6, i+1)
	})
	if err != nil {
		return specFail(sio, err)
	}
	pw, err := openPcap(o.pcap, o.pcapOut)
	if err != nil {
		return fail(sio, o, err)
	}
	now := time.Now()
	err = pkts.each(func(_ int, p *spec.Packet) error {
		printPacket(sio, o, p)
		if err := pw.write(p.Bytes, now); err != nil {
			return err
		}
		return o.stdout.err // stop at a full or closed stdout
	})
	if cerr := pw.close(); err == nil {
		err = cerr
	}
	if err == nil {
		fmt.Fprintf(sio.Out, "%d packets built, none sent (--dry-run)\n", pkts.sp.Count())
	}
	if err != nil || o.stdout.err != nil {
		return fail(sio, o, err)
	}
	return cli.ExitOK
}

func sendPackets(ctx context.Context, sio *cli.Stdio, o *opts, pkts *packets, drop func() error) int {
	cfg := &inject.Config{Interface: o.iface, Count: o.count, Rate: o.rate, Interval: o.interval}
	if o.wait.set {
		cfg.Wait = o.wait.timeout
	}
	// The pcap file is made once the privileges are dropped, so that it
	// belongs to the user who ran sudo; Sent runs only after that.
	var pw *pcapFile
	var pcapErr error
	if o.pcap != "" {
		cfg.Sent = func(_ int, b []byte, t time.Time) {
			if pcapErr == nil {
				pcapErr = pw.write(b, t)
			}
		}
	}
	s, err := inject.OpenSpec(pkts.sp, pkts.build, cfg)
	if err != nil {
		return specFail(sio, err)
	}
	defer s.Close()
	// A drop that cannot be completed stops send before any packet
	// (fail closed); a build that cannot drop at all runs on, and says so.
	if err := drop(); errors.Is(err, errors.ErrUnsupported) {
		fmt.Fprintf(sio.Err, "rawkit send: warning: privileges kept: %v\n", err)
	} else if err != nil && !errors.Is(err, raw.ErrNotImplemented) {
		return cli.Failf(sio, "send", "%v", err)
	}
	if pw, err = openPcap(o.pcap, o.pcapOut); err != nil {
		return fail(sio, o, err)
	}
	if !o.wait.set {
		pkts.each(func(_ int, p *spec.Packet) error {
			printPacket(sio, o, p)
			return nil
		})
	}
	res, err := s.Run(ctx)
	if cerr := pw.close(); pcapErr == nil {
		pcapErr = cerr
	}
	if o.wait.set {
		printAnswers(sio, o, pkts, res)
	}
	printTotals(sio, o, pkts, res)
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		return cli.Failf(sio, "send", "after %d packets: %v", res.Sent, err)
	case pcapErr != nil || o.stdout.err != nil:
		return fail(sio, o, pcapErr)
	case o.wait.set && len(res.Answers) == 0:
		return cli.ExitNoReply
	}
	return cli.ExitOK
}

// parseRate reads --rate into *r: 0 for no limit, or a rate whose gap
// between packets fits a time.Duration and is at most -i's longest, an
// hour (a gap of 1e20 ns from --rate 1e-11 wrapped and sent unpaced). NaN,
// infinities and rates that underflow to 0 ("1e-400") are refused.
func parseRate(v string, r *float64) bool {
	x, err := cli.Float("--rate", "rate", v, 0, maxRate)
	if err != nil || checkRate(x) != nil {
		return false
	}
	*r = x
	return true
}
