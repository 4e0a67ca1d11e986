// Package capture is the command `rawkit capture`: live capture with
// tcpdump's filters, or reading a pcap or pcapng file, printing a line per
// packet as tcpdump -n does or writing a capture file. The sockets, files
// and filters are the library package capture's.
package capture

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/raw"
)

// Env holds what a test replaces; a nil Env or a nil field is the real
// thing.
type Env struct {
	// DropPrivileges is called once the socket (or the -r file) is open
	// and before any packet is read (raw.DropPrivileges). Tests that run
	// the command inside their own process keep theirs with a no-op.
	DropPrivileges func() error
	// Listen opens a live capture (capture.Listen).
	Listen func(ifname string, cfg *rcapture.Config) (*rcapture.Conn, error)
	// Open opens the -r file (os.Open); Create creates the -w file
	// (os.Create). "-" is standard input or output, never opened.
	Open   func(name string) (*os.File, error)
	Create func(name string) (*os.File, error)
}

// withDefaults returns a copy of env with the real function in each
// empty field.
func (env *Env) withDefaults() *Env {
	e := Env{}
	if env != nil {
		e = *env
	}
	if e.DropPrivileges == nil {
		e.DropPrivileges = raw.DropPrivileges
	}
	if e.Listen == nil {
		e.Listen = rcapture.Listen
	}
	if e.Open == nil {
		e.Open = os.Open
	}
	if e.Create == nil {
		e.Create = os.Create
	}
	return &e
}

// New returns the capture command.
func New(env *Env) *cli.Command {
	env = env.withDefaults()
	c := &cli.Command{
		Name:    "capture",
		Summary: "capture packets live or read a capture file, with tcpdump filters",
		Doc:     &captureDoc,
	}
	c.Run = func(ctx context.Context, sio *cli.Stdio, args []string) int {
		return run(ctx, sio, c, env, args)
	}
	return c
}

// opts are the options of one run.
type opts struct {
	iface, wfile, rfile string
	count               int
	duration            time.Duration
	snap                int
	promisc, pcapng     bool
	expr                string
	env                 *Env
}

func run(ctx context.Context, sio *cli.Stdio, c *cli.Command, env *Env, args []string) int {
	o := opts{env: env}
	fs := cli.NewFlags(c)
	fs.StringVar(&o.iface, "i", "any", "")
	fs.StringVar(&o.wfile, "w", "", "")
	fs.StringVar(&o.rfile, "r", "", "")
	fs.IntVar(&o.count, "c", 0, "")
	// No upper limit: a capture may run for as long as a Duration holds.
	fs.Var(&cli.DurationValue{P: &o.duration, Hi: math.MaxInt64}, "duration", "")
	fs.IntVar(&o.snap, "s", rcapture.DefaultSnapLen, "")
	fs.BoolVar(&o.promisc, "p", false, "")
	fs.BoolVar(&o.pcapng, "pcapng", false, "")
	fs.Bool("n", true, "")
	expr, code := parseInterleaved(sio, c, fs, args)
	if code >= 0 {
		return code
	}
	o.expr = strings.Join(expr, " ")
	if name := emptyOption(fs); name != "" {
		// An empty -r would otherwise mean "no file", a live capture on
		// every interface; an empty -w or -i would be ignored.
		return cli.Failf(sio, "capture", "empty value for -%s", name)
	}
	switch {
	case o.count < 0:
		return cli.Failf(sio, "capture", "bad count %d: must be 0 (no limit) or more", o.count)
	case o.snap < 0 || o.snap > rcapture.DefaultSnapLen:
		return cli.Failf(sio, "capture", "bad snap length %d: must be 0 (the default) to %d", o.snap, rcapture.DefaultSnapLen)
	case o.snap == 0:
		// tcpdump(1): "-s 0 sets it to the default of 262144".
		o.snap = rcapture.DefaultSnapLen
	}
	// A bad filter is reported before anything is opened or created. The
	// kernel's limit on a program's length is for live capture only.
	var err error
	if o.rfile != "" {
		_, err = filter.New(o.expr, rcapture.LinkEthernet)
	} else {
		_, err = filter.Compile(o.expr, rcapture.LinkEthernet, o.snap)
	}
	if err != nil {
		return cli.Failf(sio, "capture", "%s", errText(err))
	}
	if o.rfile != "" {
		return readFile(ctx, sio, &o)
	}
	return liveCapture(ctx, sio, &o)
}

// parseInterleaved parses args as tcpdump's getopt does, options
// anywhere among the words of the expression ("-r f icmp -c 2"), until
// "--", after which every word is the expression's. It returns the words
// of the expression, and a status to exit with when it is 0 or more.
func parseInterleaved(sio *cli.Stdio, c *cli.Command, fs *flag.FlagSet, args []string) ([]string, int) {
	var expr []string
	for {
		if code := cli.ParseFlags(sio, c, fs, args); code >= 0 {
			return nil, code
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(expr, rest...), -1
		}
		i := 0
		for i < len(rest) && !isOption(rest[i]) {
			i++
		}
		expr = append(expr, rest[:i]...)
		if i == len(rest) {
			return expr, -1
		}
		args = rest[i:]
	}
}

// isOption is what getopt takes for an option: a word beginning with '-'
// that is not "-" alone.
func isOption(w string) bool {
	return len(w) > 1 && w[0] == '-'
}

// emptyOption names the first of -r, -w and -i given an empty value, or
// returns "".
func emptyOption(fs *flag.FlagSet) string {
	name := ""
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "r", "w", "i":
			if name == "" && f.Value.String() == "" {
				name = f.Name
			}
		}
	})
	return name
}

// errText is an error as one line without the package prefix, which
// "rawkit capture:" already says.
func errText(err error) string {
	if fe, ok := cli.AsFileError(err); ok {
		return fe.Error()
	}
	s := strings.TrimPrefix(err.Error(), "capture: ")
	if errors.Is(err, os.ErrPermission) {
		s += " (capturing needs CAP_NET_RAW: run as root, or `setcap cap_net_raw+ep` on the binary)"
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// sink is where packets go: a capture file, or summary lines.
type sink struct {
	w     rcapture.PacketWriter // -w
	out   *bufio.Writer         // lines, when not writing a file
	link  rcapture.LinkType
	names ifNames
	line  []byte
	n     int

	// Packets of other link types than the first (a pcapng file read):
	// pcapng gives each type an interface of its own, pcap has one link
	// type for the whole file and skips them.
	intf    rcapture.PcapngInterface
	ifaces  map[rcapture.LinkType]int
	skipped map[rcapture.LinkType]int
}

func (s *sink) put(ci gopacket.CaptureInfo, data []byte, link rcapture.LinkType) error {
	if s.w != nil && link != s.link {
		return s.putOther(ci, data, link)
	}
	s.n++
	if s.w != nil {
		return s.w.WritePacket(ci, data)
	}
	s.line = appendLine(s.line[:0], ci.Timestamp, data, link, &s.names)
	_, err := s.out.Write(s.line)
	return err
}

// putOther writes a packet whose link type is not the file's first.
func (s *sink) putOther(ci gopacket.CaptureInfo, data []byte, link rcapture.LinkType) error {
	ng, ok := s.w.(*rcapture.PcapngWriter)
	if !ok {
		if s.skipped == nil {
			s.skipped = map[rcapture.LinkType]int{}
		}
		s.skipped[link]++
		return nil
	}
	id, ok := s.ifaces[link]
	if !ok {
		intf := s.intf
		intf.Link = link
		var err error
		if id, err = ng.AddInterface(intf); err != nil {
			return err
		}
		if s.ifaces == nil {
			s.ifaces = map[rcapture.LinkType]int{}
		}
		s.ifaces[link] = id
	}
	s.n++
	return ng.WritePacketOn(id, ci, data)
}

func (s *sink) close() error {
	if s.w != nil {
		return s.w.Flush()
	}
	return s.out.Flush()
}

// openSink creates the -w file, or sets up printing to standard output.
// The returned closer closes the file after the sink is flushed.
func openSink(sio *cli.Stdio, o *opts, link rcapture.LinkType, ifname string) (*sink, io.Closer, error) {
	s := &sink{link: link}
	if o.wfile == "" {
		s.out = bufio.NewWriterSize(sio.Out, 64<<10)
		return s, io.NopCloser(nil), nil
	}
	// Opened once privileges are dropped: a refusal is the invoking
	// user's, which CAP_NET_RAW would not change (errText tells a
	// cli.FileError as it is, without the capability hint). Every write
	// error names the file, not the format's writer.
	f, err := cli.CreateOutput(o.wfile, sio.Out, o.env.Create)
	if err != nil {
		return nil, nil, err
	}
	if o.pcapng {
		s.intf = rcapture.PcapngInterface{Link: link, SnapLen: o.snap, Name: ifname, Filter: o.expr}
		s.w, err = rcapture.NewPcapngWriter(f, s.intf)
	} else {
		s.w, err = rcapture.NewPcapWriter(f, link, o.snap)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, f, nil
}

// finish flushes the sink and closes the file; the first error wins.
func finish(s *sink, f io.Closer, err error) error {
	if ferr := s.close(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func plural(n uint64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatUint(n, 10) + " " + word + "s"
}
