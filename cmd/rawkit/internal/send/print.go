package send

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/craft"
	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/inject"
)

// printPacket prints a packet's summary and, as asked, its fields and a
// hex dump.
func printPacket(sio *cli.Stdio, o *opts, p *spec.Packet) {
	fmt.Fprintln(sio.Out, craft.Summary(p.Bytes, layers.LayerTypeIPv4))
	if o.show {
		fmt.Fprint(sio.Out, p.Show())
	}
	if o.hex {
		fmt.Fprint(sio.Out, hex.Dump(p.Bytes))
	}
}

// printAnswers prints each packet with its answers under it, as scapy's
// sr shows answered and unanswered packets.
func printAnswers(sio *cli.Stdio, o *opts, pkts *packets, res *inject.Result) {
	byPkt := make([][]inject.Answer, pkts.sp.Count())
	for _, a := range res.Answers {
		byPkt[a.Index] = append(byPkt[a.Index], a)
	}
	pkts.each(func(i int, p *spec.Packet) error {
		printPacket(sio, o, p)
		if len(byPkt[i]) == 0 {
			fmt.Fprintln(sio.Out, "  <- no answer")
		}
		for _, a := range byPkt[i] {
			fmt.Fprintf(sio.Out, "  <- %s, rtt %.3f ms\n", craft.Summary(a.Data, answerLayer(a.Data)), float64(a.RTT.Microseconds())/1000)
			if o.hex {
				fmt.Fprint(sio.Out, hex.Dump(a.Data))
			}
		}
		return nil
	})
}

func printTotals(sio *cli.Stdio, o *opts, pkts *packets, res *inject.Result) {
	var d time.Duration
	if !res.Start.IsZero() && !res.End.IsZero() {
		d = res.End.Sub(res.Start) // zero when nothing went out
	}
	rate := ""
	if d > 0 {
		rate = fmt.Sprintf(" (%.0f packets/s)", float64(res.Sent)/d.Seconds())
	}
	fmt.Fprintf(sio.Out, "sent %d packets in %s%s", res.Sent, d.Round(time.Microsecond), rate)
	if o.wait.set {
		answered := map[int]bool{}
		for _, a := range res.Answers {
			answered[a.Index] = true
		}
		fmt.Fprintf(sio.Out, "; %d answers, %d of %d packets answered", len(res.Answers)+res.Dropped, len(answered), pkts.sp.Count())
	}
	fmt.Fprintln(sio.Out)
}

// stdoutWriter is standard output, remembering its first write error so
// that a full or closed stdout is reported as such, once, and not as the
// fault of a file or a socket.
type stdoutWriter struct {
	w   io.Writer
	err error
}

func (s *stdoutWriter) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(b)
	if err != nil {
		s.err = err
	}
	return n, err
}

// fail reports err, or rather the failure to write standard output when
// there was one: err is then often its consequence.
func fail(sio *cli.Stdio, o *opts, err error) int {
	if o.stdout != nil && o.stdout.err != nil {
		return cli.Failf(sio, "send", "%v", &cli.FileError{Op: "writing", Name: "-", Err: o.stdout.err})
	}
	if fe, ok := cli.AsFileError(err); ok {
		// The file at fault, not the pcap writer's words for it.
		return cli.Failf(sio, "send", "%v", fe)
	}
	return cli.Failf(sio, "send", "%v", err)
}

// packets are the packets of a spec, built one at a time as they are
// printed, so that memory stays flat whatever their number.
type packets struct {
	sp    *spec.Spec
	build *spec.Config
}

// each builds the packets in order and calls fn with each, stopping at
// the first error.
func (ps *packets) each(fn func(i int, p *spec.Packet) error) error {
	pk := ps.sp.Packer(ps.build)
	defer pk.Release()
	for i := range ps.sp.Count() {
		p, err := pk.Packet(i)
		if err != nil {
			return err
		}
		if err := fn(i, &p); err != nil {
			return err
		}
	}
	return nil
}

// pcapFile writes packets to a pcap file (LINKTYPE_RAW); with no file name
// it does nothing.
type pcapFile struct {
	c io.Closer
	w *capture.PcapWriter
}

// openPcap creates the -w file; "-" is stdout, as for capture -w -. Its
// errors, and those of every later write, name the file (cli.FileError).
func openPcap(name string, stdout io.Writer) (*pcapFile, error) {
	if name == "" {
		return nil, nil
	}
	f, err := cli.CreateOutput(name, stdout, nil)
	if err != nil {
		return nil, err
	}
	w, err := capture.NewPcapWriter(f, capture.LinkRaw, 65535)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &pcapFile{c: f, w: w}, nil
}

func (p *pcapFile) write(b []byte, t time.Time) error {
	if p == nil {
		return nil
	}
	return p.w.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b)}, b)
}

func (p *pcapFile) close() error {
	if p == nil {
		return nil
	}
	err := p.w.Flush()
	if cerr := p.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// answerLayer is the first layer of an answer's bytes, by the IP version
// nibble.
func answerLayer(b []byte) gopacket.LayerType {
	if len(b) > 0 && b[0]>>4 == 6 {
		return layers.LayerTypeIPv6
	}
	return layers.LayerTypeIPv4
}
