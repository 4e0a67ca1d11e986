package traceroute

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/target"
	"github.com/rawkit/rawkit/icmp/trace"
)

// traceOpts are the options of `rawkit traceroute`, parsed and checked.
type traceOpts struct {
	cfg     trace.Config
	numeric bool // -n
	ext     bool // -e
	json    bool
	help    bool
	version bool // -V
	lenSet  bool
	family  int      // 4 or 6 when -4 or -6 asks for one; 0: from the host
	methods []string // as given, to reject conflicting ones
	args    []string // HOST [PACKETLEN]
	host    string
}

// traceArgOpts are the short options that take a value.
const traceArgOpts = "pfmqwNstiMz"

// parseTraceArgs reads args as Linux traceroute's getopt does: options
// and operands in any order, values attached or separate (-q1, -q 1),
// flags combined (-nI), "--" ends the options. Every error names the
// value at fault.
func parseTraceArgs(args []string) (*traceOpts, error) {
	o := &traceOpts{}
	operands, err := cli.Getopt(args, cli.GetoptSpec{
		ShortValued: traceArgOpts,
		LongFlags:   []string{"json", "help", "mtu", "classic", "icmp", "tcp", "udp", "paris"},
		LongValued:  []string{"port", "first", "max-hops", "queries", "wait", "sim-queries", "source", "interface", "tos", "method"},
		Flag: func(name string) error {
			if len(name) == 1 {
				return o.setFlag(name[0])
			}
			return o.setLong(name)
		},
		Value: func(name, val string) error {
			// Errors name the option as it was spelled: -p or --port.
			if len(name) == 1 {
				return o.setValue("-"+name, name[0], val)
			}
			return o.setValue("--"+name, longToShort[name], val)
		},
	})
	if err != nil {
		return nil, err
	}
	o.args = operands
	if o.help || o.version {
		return o, nil
	}
	return o, o.check()
}

var longToShort = map[string]byte{
	"port": 'p', "first": 'f', "max-hops": 'm', "queries": 'q', "wait": 'w',
	"sim-queries": 'N', "source": 's', "interface": 'i', "tos": 't', "method": 'M',
}

func (o *traceOpts) setLong(name string) error {
	switch name {
	case "json":
		o.json = true
	case "help":
		o.help = true
	case "mtu":
		o.cfg.MTU = true
	case "classic":
		o.cfg.Classic = true
	case "paris":
		o.cfg.Classic = false
	case "icmp":
		return o.setFlag('I')
	case "tcp":
		return o.setFlag('T')
	case "udp":
		return o.setFlag('U')
	}
	return nil
}

func (o *traceOpts) setFlag(c byte) error {
	switch c {
	case 'I':
		o.setMethod("icmp")
	case 'T':
		o.setMethod("tcp")
	case 'U':
		o.setMethod("udp")
	case 'n':
		o.numeric = true
	case 'e':
		o.ext = true
	case 'F':
		o.cfg.DontFragment = true
	case '4', '6':
		return cli.SetFamily(&o.family, c)
	case 'h':
		o.help = true
	case 'V':
		o.version = true
	default:
		return fmt.Errorf("unknown option -%c", c)
	}
	return nil
}

func (o *traceOpts) setMethod(m string) { o.methods = append(o.methods, m) }

func (o *traceOpts) setValue(opt string, c byte, v string) error {
	var err error
	c2 := &o.cfg
	switch c {
	case 'p':
		c2.Port, err = cli.Int(opt, "port", v, 1, 65535)
	case 'f':
		c2.FirstTTL, err = cli.Int(opt, "first ttl", v, 1, 255)
	case 'm':
		c2.MaxTTL, err = cli.Int(opt, "max ttl", v, 1, 255)
	case 'q':
		c2.Queries, err = cli.Int(opt, "number of probes per hop", v, 1, trace.MaxQueries)
	case 'N':
		c2.Simultaneous, err = cli.Int(opt, "number of simultaneous probes", v, 1, math.MaxInt32)
	case 't':
		c2.TOS, err = cli.Int(opt, "tos", v, 0, 255)
	case 'z':
		// Accepted for compatibility: probes are not spaced.
		_, err = cli.Float(opt, "send wait", v, 0, 1000)
	case 'w':
		err = o.setWait(v)
	case 's':
		c2.Source, err = netip.ParseAddr(v)
		if err != nil {
			return fmt.Errorf("bad source address %q", v)
		}
		c2.Source = c2.Source.Unmap()
		return target.CheckZone(c2.Source, v)
	case 'i':
		if v == "" || len(v) > 15 || strings.ContainsAny(v, "/ \t") {
			return fmt.Errorf("bad interface name %q", v)
		}
		c2.Interface = v
	case 'M':
		switch v {
		case "udp", "default", "icmp", "tcp":
			if v == "default" {
				v = "udp"
			}
			o.setMethod(v)
		default:
			return fmt.Errorf("unknown method %q: want udp, icmp or tcp", v)
		}
	}
	return err
}

// setWait parses -w MAX[,HERE[,NEAR]] (seconds, and factors of a round
// trip). As traceroute, a lone MAX turns the HERE and NEAR rules off.
// MAX is a time of at least cli.MinDuration: a shorter one would round to
// no wait at all, which the path engine reads as its default.
func (o *traceOpts) setWait(v string) error {
	parts := strings.Split(v, ",")
	bad := fmt.Errorf("bad wait %q for -w: want MAX[,HERE[,NEAR]], MAX seconds from %s to %d, HERE and NEAR factors from 0 to %d",
		v, strconv.FormatFloat(cli.MinDuration.Seconds(), 'f', -1, 64), maxWait, maxWait)
	if len(parts) > 3 {
		return bad
	}
	wait, err := cli.Duration("-w", "wait", parts[0], cli.MinDuration, maxWait*time.Second)
	if err != nil {
		return bad
	}
	var f [3]float64
	for k, p := range parts[1:] {
		x, err := cli.Float("-w", "wait", p, 0, maxWait)
		if err != nil {
			return bad
		}
		f[k+1] = x
	}
	o.cfg.Wait = wait
	o.cfg.HereFactor, o.cfg.NearFactor = -1, -1
	if len(parts) > 1 && f[1] > 0 {
		o.cfg.HereFactor = f[1]
	}
	if len(parts) > 2 && f[2] > 0 {
		o.cfg.NearFactor = f[2]
	}
	return nil
}

// maxWait bounds -w's time and factors: a day.
const maxWait = 86400

// check validates what depends on several options and the operands.
func (o *traceOpts) check() error {
	switch {
	case len(o.args) == 0:
		return fmt.Errorf("no host given")
	case len(o.args) > 2:
		return fmt.Errorf("extra operand %q", o.args[2])
	}
	o.host = o.args[0]
	m := ""
	for _, x := range o.methods {
		if m != "" && x != m {
			return fmt.Errorf("conflicting methods %s and %s", m, x)
		}
		m = x
	}
	switch m {
	case "icmp":
		o.cfg.Method = trace.MethodICMP
	case "tcp":
		o.cfg.Method = trace.MethodTCP
	}
	first, max := o.cfg.FirstTTL, o.cfg.MaxTTL
	if first == 0 {
		first = 1
	}
	if max == 0 {
		max = trace.DefaultMaxTTL
	}
	if max < first {
		return fmt.Errorf("first ttl %d is above max ttl %d", first, max)
	}
	if o.cfg.Source.IsValid() && o.family != 0 && target.IPv(o.cfg.Source) != o.family {
		return fmt.Errorf("bad source address %q: not IPv%d, as -%d asks", o.cfg.Source, o.family, o.family)
	}
	if len(o.args) == 2 {
		lo := trace.MinLength(o.cfg.Method, o.cfg.Classic)
		if a, err := netip.ParseAddr(o.host); o.family == 6 || (err == nil && a.Unmap().Is6()) {
			lo = trace.MinLength6(o.cfg.Method, o.cfg.Classic)
		}
		n, err := cli.Int("", "packet length", o.args[1], lo, trace.MaxLength)
		if err != nil {
			return err
		}
		o.cfg.Length, o.lenSet = n, true
	}
	return nil
}
