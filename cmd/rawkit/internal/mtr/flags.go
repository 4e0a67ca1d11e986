package mtr

import (
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/trace"
)

// mode is how results are shown.
type mode int

const (
	modeDefault mode = iota // the screen; report on no screen
	modeReport              // -r
	modeWide                // -w
	modeMtrJSON             // -j
	modeCSV                 // -C
	modeXML                 // -x
	modeRaw                 // -l
	modeJSON                // --json, rawkit's document
	modeJSONL               // --jsonl, rawkit's event stream
)

// opts are the options of `rawkit mtr`, parsed and checked.
type opts struct {
	cfg      trace.MonitorConfig
	mode     mode
	modes    []string // as given, to reject two
	numeric  bool     // -n
	showIPs  bool     // -b
	mpls     bool     // -e
	fields   string   // -o
	family   int
	rate     float64
	record   string
	replay   string
	help     bool
	methods  []string
	psizeSet bool
	hosts    []string
}

// defaultFields is mtr's "LS NABWV".
const defaultFields = "LS NABWV"

// fieldLetters are mtr 0.95's field keys (ui/mtr.c data_fields).
const fieldLetters = " LDRSNBAWVGJMXI"

const shortValued = "cisfmQIaPoMZ"

var longToShort = map[string]byte{
	"report-cycles": 'c', "interval": 'i', "psize": 's', "first-ttl": 'f', "max-ttl": 'm', "tos": 'Q',
	"interface": 'I', "address": 'a', "port": 'P', "order": 'o', "timeout": 'Z',
}

// parseArgs reads args (MTR_OPTIONS first, as mtr does) with getopt's
// rules. Every error names the value at fault.
func parseArgs(env []string, args []string) (*opts, error) {
	o := &opts{fields: defaultFields}
	o.cfg.Method = trace.MethodICMP // mtr's default
	o.cfg.Length = 64               // mtr's default psize
	spec := cli.GetoptSpec{
		ShortValued: shortValued,
		LongFlags: []string{"help", "report", "report-wide", "xml", "raw", "csv", "json", "jsonl", "no-dns",
			"show-ips", "mpls", "udp", "tcp", "icmp", "classic", "paris", "aslookup", "inet", "inet6", "mtr-json"},
		LongValued: []string{"report-cycles", "interval", "psize", "first-ttl", "max-ttl", "tos", "interface",
			"address", "port", "order", "timeout", "method", "flows", "rate", "record", "replay"},
		Flag: func(name string) error {
			if len(name) == 1 {
				return o.setFlag(name[0])
			}
			return o.setLong(name)
		},
		Value: func(name, val string) error {
			if len(name) == 1 {
				return o.setValue("-"+name, name[0], val)
			}
			if c, ok := longToShort[name]; ok {
				return o.setValue("--"+name, c, val)
			}
			return o.setLongValue(name, val)
		},
	}
	if len(env) > 0 {
		if _, err := cli.Getopt(env, spec); err != nil {
			return nil, fmt.Errorf("MTR_OPTIONS: %w", err)
		}
	}
	hosts, err := cli.Getopt(args, spec)
	if err != nil {
		return nil, err
	}
	o.hosts = hosts
	if o.help {
		return o, nil
	}
	return o, o.check()
}

func (o *opts) setMode(m mode, name string) {
	o.mode = m
	o.modes = append(o.modes, name)
}

func (o *opts) setLong(name string) error {
	switch name {
	case "help":
		o.help = true
	case "report":
		return o.setFlag('r')
	case "report-wide":
		return o.setFlag('w')
	case "xml":
		return o.setFlag('x')
	case "raw":
		return o.setFlag('l')
	case "csv":
		return o.setFlag('C')
	case "mtr-json":
		return o.setFlag('j')
	case "json":
		o.setMode(modeJSON, "--json")
	case "jsonl":
		o.setMode(modeJSONL, "--jsonl")
	case "no-dns":
		return o.setFlag('n')
	case "show-ips":
		return o.setFlag('b')
	case "mpls":
		return o.setFlag('e')
	case "udp":
		return o.setFlag('u')
	case "tcp":
		return o.setFlag('T')
	case "icmp":
		o.methods = append(o.methods, "icmp")
	case "classic":
		o.cfg.Classic = true
	case "paris":
		o.cfg.Classic = false
	case "aslookup":
		return o.setFlag('z')
	case "inet":
		return o.setFlag('4')
	case "inet6":
		return o.setFlag('6')
	}
	return nil
}

func (o *opts) setFlag(c byte) error {
	switch c {
	case 'h':
		o.help = true
	case 'r':
		o.setMode(modeReport, "-r")
	case 'w':
		o.setMode(modeWide, "-w")
	case 'j':
		o.setMode(modeMtrJSON, "-j")
	case 'C':
		o.setMode(modeCSV, "-C")
	case 'x':
		o.setMode(modeXML, "-x")
	case 'l':
		o.setMode(modeRaw, "-l")
	case 'n':
		o.numeric = true
	case 'b':
		o.showIPs = true
	case 'e':
		o.mpls = true
	case 'u':
		o.methods = append(o.methods, "udp")
	case 'T':
		o.methods = append(o.methods, "tcp")
	case 'z':
		return fmt.Errorf("option -z: AS lookups are not built into rawkit (they need a name server on the internet)")
	case '4', '6':
		return cli.SetFamily(&o.family, c)
	default:
		return fmt.Errorf("unknown option -%c", c)
	}
	return nil
}

func (o *opts) setValue(opt string, c byte, v string) error {
	var err error
	switch c {
	case 'c':
		o.cfg.Count, err = cli.Int(opt, "count", v, 1, math.MaxInt32)
	case 'i':
		var f float64
		f, err = cli.Float(opt, "interval", v, 0.01, 3600)
		o.cfg.Interval = time.Duration(f * float64(time.Second))
	case 's':
		o.cfg.Length, err = cli.Int(opt, "packet size", v, 1, trace.MaxLength)
		o.psizeSet = true
	case 'f':
		o.cfg.FirstTTL, err = cli.Int(opt, "first ttl", v, 1, 255)
	case 'm':
		o.cfg.MaxTTL, err = cli.Int(opt, "max ttl", v, 1, 255)
	case 'Q':
		o.cfg.TOS, err = cli.Int(opt, "tos", v, 0, 255)
	case 'I':
		o.cfg.Interface = v
	case 'a':
		a, perr := netip.ParseAddr(v)
		if perr != nil {
			return fmt.Errorf("bad source address %q for %s", v, opt)
		}
		o.cfg.Source = a
	case 'P':
		o.cfg.Port, err = cli.Int(opt, "port", v, 1, 65535)
	case 'o':
		return o.setFields(opt, v)
	case 'Z':
		var f float64
		f, err = cli.Float(opt, "timeout", v, 0.001, 60)
		o.cfg.Wait = time.Duration(f * float64(time.Second))
	}
	return err
}

func (o *opts) setLongValue(name, v string) error {
	var err error
	switch name {
	case "method":
		switch v {
		case "udp", "icmp", "tcp":
			o.methods = append(o.methods, v)
		default:
			return fmt.Errorf("unknown method %q for --method: want udp, icmp or tcp", v)
		}
	case "flows":
		o.cfg.Flows, err = cli.Int("--flows", "flows", v, 1, trace.MaxFlows)
	case "rate":
		o.rate, err = cli.Float("--rate", "rate", v, 0.01, 100000)
	case "record":
		o.record = v
	case "replay":
		o.replay = v
	}
	return err
}

// setFields checks an -o field string: mtr's letters, each once.
func (o *opts) setFields(opt, v string) error {
	if len(v) > 20 {
		return fmt.Errorf("too many fields for %s: %q", opt, v)
	}
	for _, r := range v {
		if !strings.ContainsRune(fieldLetters, r) {
			return fmt.Errorf("unknown field identifier %q in %s %q: want letters of %q", r, opt, v, strings.TrimSpace(fieldLetters))
		}
	}
	o.fields = v
	return nil
}

func (o *opts) check() error {
	if len(o.modes) > 1 {
		return fmt.Errorf("report modes %s and %s: choose one", o.modes[0], o.modes[1])
	}
	if len(o.methods) > 1 && o.methods[0] != o.methods[len(o.methods)-1] {
		return fmt.Errorf("methods %s and %s: choose one", o.methods[0], o.methods[len(o.methods)-1])
	}
	if len(o.methods) > 0 {
		switch o.methods[0] {
		case "udp":
			o.cfg.Method = trace.MethodUDP
		case "tcp":
			o.cfg.Method = trace.MethodTCP
		default:
			o.cfg.Method = trace.MethodICMP
		}
	}
	if o.cfg.FirstTTL > 0 && o.cfg.MaxTTL > 0 && o.cfg.FirstTTL > o.cfg.MaxTTL {
		return fmt.Errorf("first ttl %d is above max ttl %d", o.cfg.FirstTTL, o.cfg.MaxTTL)
	}
	if o.cfg.Flows > 1 && o.cfg.Classic {
		return fmt.Errorf("--flows %d with --classic: flows need Paris mode", o.cfg.Flows)
	}
	if o.replay != "" && o.record != "" {
		return fmt.Errorf("--replay %q with --record: a replay records nothing", o.replay)
	}
	if o.replay == "" && len(o.hosts) == 0 {
		return fmt.Errorf("no host given")
	}
	if o.replay != "" && len(o.hosts) > 0 {
		return fmt.Errorf("--replay takes no host, got %q", o.hosts[0])
	}
	if o.cfg.Count == 0 && o.mode != modeDefault {
		o.cfg.Count = 10 // mtr's report cycles
	}
	return nil
}
