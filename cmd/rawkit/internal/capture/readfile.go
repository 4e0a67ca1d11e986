package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"

	"github.com/gopacket/gopacket"
	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// fileRun is one -r run. The reading goroutine holds mu all the time
// except while it waits in a read of the input (guardedReader), so that
// an interrupt takes over the sink only when no packet is being handled,
// at no cost per packet: the capture reader reads the input a megabyte
// at a time. A read blocked on a stalled pipe or FIFO cannot be
// interrupted, and is left behind.
type fileRun struct {
	sio *cli.Stdio
	o   *opts

	mu      sync.Mutex
	stopped bool      // interrupted, or done: the other side touches nothing more
	in      io.Closer // the -r file, closed on an interrupt to wake a pollable read
	s       *sink
	out     io.Closer
}

// errInterrupted ends the reading goroutine's reads once interrupted.
var errInterrupted = errors.New("interrupted")

// guardedReader releases the run's lock while it reads.
type guardedReader struct {
	r   io.Reader
	run *fileRun
}

func (g guardedReader) Read(p []byte) (int, error) {
	g.run.mu.Unlock()
	n, err := g.r.Read(p)
	g.run.mu.Lock()
	if g.run.stopped {
		return 0, errInterrupted
	}
	return n, err
}

// readFile reads -r FILE, filters, and prints or writes the packets. A
// damaged file still yields every packet before the damage, then the
// error. An interrupt (ctx) ends it at once, with what was read flushed.
func readFile(ctx context.Context, sio *cli.Stdio, o *opts) int {
	// Until the end, SIGINT and SIGTERM stay caught: the first cancels
	// ctx (main), a second must not kill the process before the flush.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	r := &fileRun{sio: sio, o: o}
	done := make(chan int, 1)
	go func() { done <- r.read() }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	if r.in != nil {
		r.in.Close()
	}
	if r.s != nil {
		if err := finish(r.s, r.out, nil); err != nil {
			return cli.Failf(sio, "capture", "%s", errText(err))
		}
		r.s.warnSkipped(sio)
	}
	return cli.ExitOK
}

// fail reports err unless the run was interrupted, when the interrupt's
// side has the last word.
func (r *fileRun) fail(format string, a ...any) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return cli.ExitOK
	}
	return cli.Failf(r.sio, "capture", format, a...)
}

func (r *fileRun) read() int {
	sio, o := r.sio, r.o
	var in io.Reader = sio.In
	if o.rfile != "-" {
		f, err := o.env.Open(o.rfile) // blocks on a FIFO until a writer opens it
		if err != nil {
			return r.fail("%s", errText(err))
		}
		defer f.Close()
		r.mu.Lock()
		r.in = f
		r.mu.Unlock()
		in = f
	}
	if sameFile(in, sio.Out, o.wfile) {
		return r.fail("-r %s and -w %s are the same file", o.rfile, o.wfile)
	}
	// Reading a file needs no privilege: the input is open (as tcpdump
	// opens it before dropping), the output is opened as the user.
	if code, ok := dropPrivileges(sio, o); !ok {
		return code
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return cli.ExitOK
	}
	rd, err := rcapture.NewReader(guardedReader{in, r})
	if r.stopped {
		return cli.ExitOK
	}
	if err != nil {
		return cli.Failf(sio, "capture", "reading %s: %s", o.rfile, errText(err))
	}
	r.s, r.out, err = openSink(sio, o, rd.LinkType(), "")
	if err != nil {
		return cli.Failf(sio, "capture", "%s", errText(err))
	}
	err = r.loop(rd)
	if r.stopped {
		return cli.ExitOK
	}
	r.stopped = true // the flush is ours: an interrupt now has nothing to do
	if errors.Is(err, io.EOF) {
		err = nil
	}
	// Whatever came before the damage is out before the error is told.
	if ferr := finish(r.s, r.out, nil); ferr != nil {
		return cli.Failf(sio, "capture", "%s", errText(ferr))
	}
	r.s.warnSkipped(sio)
	if err != nil {
		return cli.Failf(sio, "capture", "reading %s: %s", o.rfile, errText(err))
	}
	return cli.ExitOK
}

// loop filters and puts packets until the end of the file, the count, an
// error or an interrupt (errInterrupted, from the reads). It runs with
// r.mu held.
func (r *fileRun) loop(rd *rcapture.Reader) error {
	o, s := r.o, r.s
	filters := map[rcapture.LinkType]*filter.Filter{}
	for o.count == 0 || s.n < o.count {
		data, ci, err := rd.ReadPacket()
		if err == nil {
			err = r.put(filters, rd, data, ci)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *fileRun) put(filters map[rcapture.LinkType]*filter.Filter, rd *rcapture.Reader, data []byte, ci gopacket.CaptureInfo) error {
	link := rd.LinkTypeOf(ci.InterfaceIndex)
	// No filter given, none compiled: a link type filters do not support
	// (LINKTYPE_NULL) is still read, and no error names a filter.
	flt, ok := filters[link]
	if !ok && r.o.expr != "" {
		var err error
		if flt, err = filter.New(r.o.expr, link); err != nil {
			return err
		}
		filters[link] = flt
	}
	if flt != nil && !flt.Match(data, ci.Length) {
		return nil
	}
	if len(data) > r.o.snap {
		data = data[:r.o.snap]
		ci.CaptureLength = r.o.snap
	}
	return r.s.put(ci, data, link)
}

// warnSkipped says, one line per link type, how many packets a pcap file
// could not hold: its header names one link type for every packet.
func (s *sink) warnSkipped(sio *cli.Stdio) {
	links := make([]rcapture.LinkType, 0, len(s.skipped))
	for l := range s.skipped {
		links = append(links, l)
	}
	slices.Sort(links)
	for _, l := range links {
		fmt.Fprintf(sio.Err, "rawkit capture: warning: %s of link type %v skipped: a pcap file holds only %v (write --pcapng to keep them)\n",
			plural(uint64(s.skipped[l]), "packet"), l, s.link)
	}
}
