package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	goio "io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/inject"
	"github.com/rawkit/rawkit/raw"
)

const sendUsage = `usage: rawkit send SPEC [options]

Build the packets SPEC describes and send them through a raw socket with
the IP header included (root or CAP_NET_RAW), as scapy's send and sr do:

  rawkit send 'ip(dst=10.0.0.2, ttl=1-5)/icmp(id=1, seq=1)' --wait
  rawkit send 'ip(dst=10.0.0.2)/tcp(dport=[22,80,443], flags=S)' --wait=1s
  rawkit send -c 500000 --rate 0 'ip(dst=127.0.0.1)/icmp()'

  -c COUNT          send the packets COUNT times (default 1)
  --rate PPS        at most PPS packets per second; 0, the default, is as
                    fast as possible, in sendmmsg batches (from up to 4
                    sockets at once for 65536 packets or more, without -w:
                    their batches may then interleave)
  -i INTERVAL       time between packets: seconds (0.5) or a duration
                    (200ms); not with --rate
  -I IFACE          send and receive through this interface only
  --wait[=TIMEOUT]  receive the answers to each packet until TIMEOUT
                    (default 2s) after the last send, or until every
                    packet has one: ICMP replies by identifier and
                    sequence, ICMP errors by the datagram they quote, TCP
                    and UDP by addresses and ports
  --show            print every field of every layer of each packet
  --hex             print a hex dump of each packet
  -w FILE           write the packets as sent to FILE (pcap, raw IPv4)
  --dry-run         build and print the packets; send nothing

Every field goes out as the spec says. Linux would rewrite a set IPv4
total length or header checksum, and an identification or source
address of 0, in a header-included packet (raw(7)): such packets go out
through a packet socket instead, to the next hop's link-layer address
(from the neighbour table, or asked with ARP).

Exit status: 0 when the packets were sent (with --wait: and at least one
was answered), 1 when --wait got no answer, 2 on errors; a bad spec sends
nothing.

`

func init() {
	register(&command{
		name:      "send",
		summary:   "send packets described in a scapy-like spec, and match their answers",
		usage:     sendUsage,
		usageMore: spec.Help,
		run:       runSend,
	})
}

// sendDropPrivileges is called once the sockets are open; tests replace it.
var sendDropPrivileges = raw.DropPrivileges

type sendOpts struct {
	spec     string
	count    int
	rate     float64
	interval time.Duration
	iface    string
	wait     waitFlag
	show     bool
	hex      bool
	pcap     string
	dryRun   bool
}

// waitFlag is --wait or --wait=TIMEOUT.
type waitFlag struct {
	set     bool
	timeout time.Duration
}

// takeWait removes --wait and --wait=TIMEOUT from args (the flag package
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
	d, err := parseSeconds(s)
	if err != nil || d <= 0 || d > time.Hour {
		return fmt.Errorf("bad --wait timeout %q: want a duration such as 2s or 500ms, up to 1h", s)
	}
	w.timeout = d
	return nil
}

// parseSeconds reads seconds ("0.5") or a Go duration ("500ms").
func parseSeconds(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || f > 1e6 {
			return 0, errors.New("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}

func parseSendArgs(io *stdio, c *command, args []string) (*sendOpts, int) {
	o := &sendOpts{}
	fs := newFlags(io, c)
	fs.IntVar(&o.count, "c", 1, "")
	fs.Float64Var(&o.rate, "rate", 0, "")
	var interval string
	fs.StringVar(&interval, "i", "", "")
	fs.StringVar(&o.iface, "I", "", "")
	fs.BoolVar(&o.show, "show", false, "")
	fs.BoolVar(&o.hex, "hex", false, "")
	fs.StringVar(&o.pcap, "w", "", "")
	fs.BoolVar(&o.dryRun, "dry-run", false, "")
	fs.SetOutput(goio.Discard)
	fs.Usage = func() {}
	args, err := o.wait.take(args)
	if err != nil {
		return nil, failf(io, "send", "%v", err)
	}
	// Flags may come before and after SPEC.
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			c.printUsage(io.out)
			return nil, exitOK
		} else if err != nil {
			return nil, failf(io, "send", "%v (rawkit help send)", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) == 0:
		return nil, failf(io, "send", "no packet spec; try: rawkit send 'ip(dst=127.0.0.1)/icmp()' (rawkit help send)")
	case len(pos) > 1:
		return nil, failf(io, "send", "one packet spec expected, got %d arguments (%q...); quote the spec", len(pos), pos[1])
	case o.count < 1:
		return nil, failf(io, "send", "bad count %d: want 1 or more", o.count)
	case o.rate < 0 || o.rate > 1e9:
		return nil, failf(io, "send", "bad rate %v: want 0 (no limit) to 1e9 packets per second", o.rate)
	case o.rate > 0 && interval != "":
		return nil, failf(io, "send", "--rate and -i both pace the packets: give one")
	}
	if interval != "" {
		d, err := parseSeconds(interval)
		if err != nil || d < 0 || d > time.Hour {
			return nil, failf(io, "send", "bad interval %q: want seconds (0.5) or a duration (200ms), up to 1h", interval)
		}
		o.interval = d
	}
	if o.iface != "" {
		if _, err := net.InterfaceByName(o.iface); err != nil {
			return nil, failf(io, "send", "unknown interface %q", o.iface)
		}
	}
	o.spec = pos[0]
	if total := int64(o.count); total > 1<<40 {
		return nil, failf(io, "send", "bad count %d: too many packets", o.count)
	}
	return o, -1
}

func runSend(ctx context.Context, io *stdio, args []string) int {
	o, code := parseSendArgs(io, commands["send"], args)
	if o == nil {
		return code
	}
	pkts, err := inject.Parse(o.spec, o.iface)
	if err != nil {
		var se *spec.Error
		if errors.As(err, &se) {
			failf(io, "send", "%s", se.Error())
			if c := se.Caret(); c != "" {
				fmt.Fprintln(io.err, c)
			}
			return exitError
		}
		return failf(io, "send", "%v", err)
	}
	if int64(len(pkts))*int64(o.count) > 1<<40 {
		return failf(io, "send", "%d packets %d times is too many", len(pkts), o.count)
	}
	if o.dryRun {
		return dryRun(io, o, pkts)
	}
	return sendPackets(ctx, io, o, pkts)
}

func dryRun(io *stdio, o *sendOpts, pkts []spec.Packet) int {
	pw, err := openSendPcap(o.pcap)
	if err != nil {
		return failf(io, "send", "%v", err)
	}
	now := time.Now()
	for i := range pkts {
		printPacket(io, o, &pkts[i])
		if err := pw.write(pkts[i].Bytes, now); err != nil {
			return failf(io, "send", "%v", err)
		}
	}
	if err := pw.close(); err != nil {
		return failf(io, "send", "%v", err)
	}
	fmt.Fprintf(io.out, "%d packets built, none sent (--dry-run)\n", len(pkts))
	return exitOK
}

func sendPackets(ctx context.Context, io *stdio, o *sendOpts, pkts []spec.Packet) int {
	cfg := &inject.Config{Interface: o.iface, Count: o.count, Rate: o.rate, Interval: o.interval}
	if o.wait.set {
		cfg.Wait = o.wait.timeout
	}
	// The pcap file is made once the privileges are dropped, so that it
	// belongs to the user who ran sudo; Sent runs only after that.
	var pw *sendPcap
	var pcapErr error
	if o.pcap != "" {
		cfg.Sent = func(_ int, b []byte, t time.Time) {
			if pcapErr == nil {
				pcapErr = pw.write(b, t)
			}
		}
	}
	s, err := inject.Open(pkts, cfg)
	if err != nil {
		return failf(io, "send", "%v", err)
	}
	defer s.Close()
	if err := sendDropPrivileges(); err != nil && !errors.Is(err, raw.ErrNotImplemented) {
		fmt.Fprintf(io.err, "rawkit send: warning: privileges kept: %v\n", err)
	}
	if pw, err = openSendPcap(o.pcap); err != nil {
		return failf(io, "send", "%v", err)
	}
	if !o.wait.set {
		for i := range pkts {
			printPacket(io, o, &pkts[i])
		}
	}
	res, err := s.Run(ctx)
	if cerr := pw.close(); pcapErr == nil {
		pcapErr = cerr
	}
	if o.wait.set {
		printAnswers(io, o, pkts, res)
	}
	printTotals(io, o, pkts, res)
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		return failf(io, "send", "after %d packets: %v", res.Sent, err)
	case pcapErr != nil:
		return failf(io, "send", "%v", pcapErr)
	case o.wait.set && len(res.Answers) == 0:
		return exitNoReply
	}
	return exitOK
}
