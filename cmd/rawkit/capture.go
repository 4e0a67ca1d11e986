package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
)

func init() {
	register(&command{
		name:    "capture",
		summary: "capture packets live or read a capture file, with tcpdump filters",
		usage: `usage: rawkit capture [-i IFACE] [-w FILE] [-r FILE] [-c COUNT] [--duration D] [-s SNAPLEN] [-p] [--pcapng] [-n] [EXPRESSION]

Captures packets on IFACE ("any", the default, for all interfaces) or reads
them from FILE (pcap or pcapng), keeps those EXPRESSION selects (tcpdump's
filter syntax, pcap-filter(7)), and prints one line per packet or writes
them to a file. On exit it prints to standard error how many packets were
captured, received by the filter and dropped by the kernel.

  -i IFACE      interface to capture on (default any)
  -r FILE       read packets from FILE instead of capturing ("-" for stdin)
  -w FILE       write packets to FILE instead of printing them ("-" for stdout)
  -c COUNT      stop after COUNT packets
  --duration D  stop after D (e.g. 10s, 1m)
  -s SNAPLEN    keep at most SNAPLEN bytes of each packet (default 262144)
  -p            put the interface into promiscuous mode (unlike tcpdump,
                where -p turns it off: rawkit never turns it on unasked)
  --pcapng      write pcapng instead of pcap (nanosecond time stamps either way)
  -n            do not resolve addresses (always the case; for tcpdump habits)

Live capture needs CAP_NET_RAW (root, or setcap cap_net_raw+ep on the binary).
`,
		run: runCapture,
	})
}

type captureOpts struct {
	iface, wfile, rfile string
	count               int
	duration            time.Duration
	snap                int
	promisc, pcapng     bool
	expr                string
}

func runCapture(ctx context.Context, sio *stdio, args []string) int {
	c := commands["capture"]
	fs := newFlags(sio, c)
	var o captureOpts
	fs.StringVar(&o.iface, "i", "any", "")
	fs.StringVar(&o.wfile, "w", "", "")
	fs.StringVar(&o.rfile, "r", "", "")
	fs.IntVar(&o.count, "c", 0, "")
	fs.DurationVar(&o.duration, "duration", 0, "")
	fs.IntVar(&o.snap, "s", capture.DefaultSnapLen, "")
	fs.BoolVar(&o.promisc, "p", false, "")
	fs.BoolVar(&o.pcapng, "pcapng", false, "")
	fs.Bool("n", true, "")
	if code := parseFlags(sio, fs, args); code >= 0 {
		return code
	}
	o.expr = strings.Join(fs.Args(), " ")
	switch {
	case o.count < 0:
		return failf(sio, "capture", "bad count %d: must be 0 (no limit) or more", o.count)
	case o.duration < 0:
		return failf(sio, "capture", "bad duration %v", o.duration)
	case o.snap < 1 || o.snap > capture.DefaultSnapLen:
		return failf(sio, "capture", "bad snap length %d: must be 1 to %d", o.snap, capture.DefaultSnapLen)
	case o.rfile != "" && o.rfile == o.wfile && o.rfile != "-":
		return failf(sio, "capture", "-r and -w name the same file %q", o.rfile)
	}
	// A bad filter is reported before anything is opened or created.
	if _, err := filter.Compile(o.expr, capture.LinkEthernet, o.snap); err != nil {
		return failf(sio, "capture", "%s", errText(err))
	}
	if o.rfile != "" {
		return readFile(ctx, sio, &o)
	}
	return liveCapture(ctx, sio, &o)
}

// errText is an error as one line without the package prefix, which
// "rawkit capture:" already says.
func errText(err error) string {
	s := strings.TrimPrefix(err.Error(), "capture: ")
	if errors.Is(err, os.ErrPermission) {
		s += " (capturing needs CAP_NET_RAW: run as root, or `setcap cap_net_raw+ep` on the binary)"
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// sink is where packets go: a capture file, or summary lines.
type sink struct {
	w     capture.PacketWriter // -w
	out   *bufio.Writer        // lines, when not writing a file
	link  capture.LinkType
	names ifNames
	line  []byte
	n     int
}

func (s *sink) put(ci gopacket.CaptureInfo, data []byte, link capture.LinkType) error {
	s.n++
	if s.w != nil {
		return s.w.WritePacket(ci, data)
	}
	s.line = appendLine(s.line[:0], ci.Timestamp, data, link, &s.names)
	_, err := s.out.Write(s.line)
	return err
}

func (s *sink) close() error {
	if s.w != nil {
		return s.w.Flush()
	}
	return s.out.Flush()
}

// openSink creates the -w file, or sets up printing to standard output.
// The returned closer closes the file after the sink is flushed.
func openSink(sio *stdio, o *captureOpts, link capture.LinkType, ifname string) (*sink, io.Closer, error) {
	s := &sink{link: link}
	if o.wfile == "" {
		s.out = bufio.NewWriterSize(sio.out, 64<<10)
		return s, io.NopCloser(nil), nil
	}
	var f io.WriteCloser
	if o.wfile == "-" {
		f = nopWriteCloser{sio.out}
	} else {
		file, err := os.Create(o.wfile)
		if err != nil {
			return nil, nil, err
		}
		f = file
	}
	var err error
	if o.pcapng {
		s.w, err = capture.NewPcapngWriter(f, capture.PcapngInterface{Link: link, SnapLen: o.snap, Name: ifname, Filter: o.expr})
	} else {
		s.w, err = capture.NewPcapWriter(f, link, o.snap)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, f, nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

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
