package ping

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/target"
)

// pingOpts are the options of `rawkit ping`, parsed and checked.
type pingOpts struct {
	count       int
	interval    time.Duration
	intervalSet bool
	timeout     time.Duration // -W
	deadline    time.Duration // -w
	size        int
	ttl         int
	tos         int
	pmtu        string
	iface       string
	source      netip.Addr
	preload     int
	quiet       bool
	flood       bool
	numeric     bool
	timestamps  bool // -D
	outstanding bool // -O
	audible     bool // -a
	json        bool
	rate        float64
	pattern     []byte // -p; nil: iputils' default fill
	mode        string
	family      int // 4 or 6 when -4 or -6 asks for one; 0: from the addresses
	help        bool
	version     bool // -V
	hosts       []string
}

// pingArgOpts are the short options that take a value.
const pingArgOpts = "ciWwstQMIlp"

// parsePingArgs reads args the way GNU getopt does, as iputils' ping:
// options and operands in any order ("ping 127.0.0.1 -c 3"), values
// attached or separate (-c5, -c 5), flags combined (-qn), "--" ends the
// options. Every error names the value at fault.
func parsePingArgs(args []string, root bool) (*pingOpts, error) {
	o := &pingOpts{size: 56, preload: 1}
	hosts, err := cli.Getopt(args, cli.GetoptSpec{
		ShortValued: pingArgOpts,
		LongFlags:   []string{"json", "help"},
		LongValued:  []string{"rate", "mode"},
		Flag: func(name string) error {
			switch name {
			case "json":
				o.json = true
			case "help":
				o.help = true
			default:
				return o.setFlag(name[0])
			}
			return nil
		},
		Value: func(name, val string) error {
			if len(name) == 1 {
				return o.setShort(name[0], val)
			}
			return o.setLong(name, val)
		},
	})
	if err != nil {
		return nil, err
	}
	o.hosts = hosts
	return o, o.check(root)
}

func (o *pingOpts) setFlag(c byte) error {
	switch c {
	case 'q':
		o.quiet = true
	case 'f':
		o.flood = true
	case 'n':
		o.numeric = true
	case 'D':
		o.timestamps = true
	case 'O':
		o.outstanding = true
	case 'a':
		o.audible = true
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

func (o *pingOpts) setShort(c byte, v string) error {
	var err error
	switch c {
	case 'c':
		o.count, err = cli.Int("-c", "count", v, 1, math.MaxInt32)
	case 'i':
		o.interval, err = cli.Duration("-i", "interval", v, 0, maxTime)
		o.intervalSet = true
	case 'W':
		// Milliseconds, as iputils counts -W (its lingertime).
		o.timeout, err = cli.Duration("-W", "timeout", v, time.Millisecond, maxTime)
	case 'w':
		o.deadline, err = cli.Duration("-w", "deadline", v, time.Millisecond, maxTime)
	case 's':
		// IPv6's bound here; checkTargets applies IPv4's.
		o.size, err = cli.Int("-s", "size", v, 0, maxSize6)
	case 't':
		o.ttl, err = cli.Int("-t", "ttl", v, 1, 255)
	case 'Q':
		o.tos, err = parseTOS(v)
	case 'l':
		o.preload, err = cli.Int("-l", "preload", v, 1, 65536)
	case 'M':
		if v != "do" && v != "dont" && v != "want" {
			return fmt.Errorf("bad -M mode %q: want do, dont or want", v)
		}
		o.pmtu = v
	case 'I':
		if a, perr := netip.ParseAddr(v); perr == nil {
			if err := target.CheckZone(a, v); err != nil {
				return err
			}
			o.source = a.Unmap()
		} else if strings.Contains(v, ":") {
			return fmt.Errorf("bad source address %q: %v", v, perr)
		} else {
			o.iface = v
		}
	case 'p':
		o.pattern, err = parsePattern(v)
	}
	return err
}

// parseTOS reads -Q as iputils' parsetos does: hexadecimal after 0x,
// decimal otherwise ("010" is ten).
func parseTOS(v string) (int, error) {
	if h, ok := strings.CutPrefix(strings.ToLower(v), "0x"); ok {
		if n, err := strconv.ParseUint(h, 16, 8); err == nil {
			return int(n), nil
		}
		return 0, fmt.Errorf("bad tos %q for -Q: want a whole number from 0 to 255, or 0x0 to 0xff", v)
	}
	return cli.Int("-Q", "tos", v, 0, 255)
}

// maxPattern is the longest -p pattern, iputils' 16 bytes.
const maxPattern = 16

// parsePattern reads -p's hex digits as iputils does, two to a byte with
// an odd last digit a byte alone ("abc" is 0xab 0x0c). Where iputils cuts
// a longer pattern to 16 bytes, it is an error here.
func parsePattern(v string) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("bad pattern %q: want 1 to %d bytes of hex digits", v, maxPattern)
	}
	var p []byte
	for s := v; s != ""; {
		n := min(2, len(s))
		b, err := strconv.ParseUint(s[:n], 16, 8)
		if err != nil {
			return nil, fmt.Errorf("bad pattern %q: hex digits only", v)
		}
		p = append(p, byte(b))
		s = s[n:]
	}
	if len(p) > maxPattern {
		return nil, fmt.Errorf("bad pattern %q: %d bytes, at most %d", v, len(p), maxPattern)
	}
	return p, nil
}

func (o *pingOpts) setLong(name, v string) error {
	switch name {
	case "rate":
		// At least one probe in the longest time ping takes, so the gap
		// between probes fits a time.Duration (a rate of 1e-11 made one
		// that wrapped and sent unpaced); at most one a nanosecond.
		r, err := cli.Float("--rate", "rate", v, minRate, 1e9)
		if err != nil {
			return fmt.Errorf("%v probes per second", err)
		}
		o.rate = r
	case "mode":
		if v != "auto" && v != "raw" && v != "ping" {
			return fmt.Errorf("bad mode %q: want auto, raw or ping", v)
		}
		o.mode = v
	}
	return nil
}

// The largest -s: 65535 bytes less the IPv4 header and the ICMP one;
// IPv6's payload length does not count its header (RFC 8200), so ICMPv6
// carries 20 bytes more, as iputils' ping -6 takes.
const (
	maxSize4 = 65507
	maxSize6 = 65527
)

// maxTime bounds the times ping takes (-i, -W, -w): a million
// seconds, as rawkit ping always had it.
const maxTime = 1e6 * time.Second

// minRate is one probe in maxTime.
const minRate = float64(time.Second) / float64(maxTime)

// userMinInterval is iputils' floor for users other than root.
const userMinInterval = 2 * time.Millisecond

// check applies the rules that involve several options or the user.
func (o *pingOpts) check(root bool) error {
	if o.help || o.version {
		return nil
	}
	if len(o.hosts) == 0 {
		return fmt.Errorf("no host given (usage: rawkit ping [options] HOST)")
	}
	if o.source.IsValid() && o.family != 0 && (o.family == 6) != o.source.Is6() {
		return fmt.Errorf("bad source address %q: not IPv%d, as -%d asks", o.source, o.family, o.family)
	}
	if o.flood && !root {
		return fmt.Errorf("cannot flood (-f): only root may, the minimal interval for users is 2 ms")
	}
	if o.intervalSet && o.interval < userMinInterval && !root {
		return fmt.Errorf("bad interval %q: below the 2 ms floor for users; only root may go lower",
			strconv.FormatFloat(o.interval.Seconds(), 'f', -1, 64))
	}
	if o.preload > 3 && !root {
		return fmt.Errorf("bad preload %d: users may preload at most 3", o.preload)
	}
	return nil
}

// isRoot reports whether iputils would treat the user as root: its floors
// for users follow the real user ID, not capabilities.
func isRoot() bool { return os.Getuid() == 0 }
