package ping

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

// textOut prints a run the way iputils ping 20221126 does, byte for byte
// (ping_common.c and ping.c); with several targets the reply lines are
// the same and the end is a per-target line (as fping's) and a total.
type textOut struct {
	mu      sync.Mutex
	w       *bufio.Writer
	errw    io.Writer
	o       *pingOpts
	targets []pingTarget
	names   *names
	timing  bool // iputils prints times only when the payload holds a timeval
	flush   bool // flush after each line; otherwise the caller flushes
	// dot is a flood probe's dot not written yet: iputils writes it only
	// once the write succeeded, and an "E" instead when it failed.
	dot    bool
	dotSeq uint16
}

func newTextOut(w, errw io.Writer, o *pingOpts, targets []pingTarget) *textOut {
	numeric := o.numeric
	for _, t := range targets {
		numeric = numeric || t.numeric
	}
	return &textOut{
		w: bufio.NewWriterSize(w, 64<<10), errw: errw, o: o, targets: targets,
		names:  &names{numeric: numeric},
		timing: o.size >= 16,
		flush:  len(targets) == 1 && !o.flood,
	}
}

func (p *textOut) header() {
	if len(p.o.pattern) > 0 && !p.o.quiet {
		// iputils' fill() says what it filled with (ping_common.c).
		fmt.Fprintf(p.w, "PATTERN: 0x%x\n", p.o.pattern)
	}
	_, n4, n6 := families(p.targets)
	if n4 > 0 && n6 > 0 {
		// Both families: the IP sizes differ, so the payload size alone.
		fmt.Fprintf(p.w, "PING %d targets %d data bytes\n", len(p.targets), p.o.size)
		p.Flush()
		return
	}
	if p.targets[0].addr.Is6() {
		// iputils' IPv6 header (ping6_common.c): no space before the
		// parenthesis, "name (address)" inside it for a name, and the
		// payload size alone.
		if len(p.targets) == 1 {
			t := p.targets[0]
			inner := t.addr.String()
			if !t.numeric {
				inner = t.name + " (" + inner + ")"
			}
			fmt.Fprintf(p.w, "PING %s(%s) %d data bytes\n", t.name, inner, p.o.size)
		} else {
			fmt.Fprintf(p.w, "PING %d targets %d data bytes\n", len(p.targets), p.o.size)
		}
		p.Flush()
		return
	}
	if len(p.targets) == 1 {
		t := p.targets[0]
		fmt.Fprintf(p.w, "PING %s (%s) %d(%d) bytes of data.\n", t.name, t.addr, p.o.size, p.o.size+28)
	} else {
		fmt.Fprintf(p.w, "PING %d targets %d(%d) bytes of data.\n", len(p.targets), p.o.size, p.o.size+28)
	}
	p.Flush()
}

// Flush writes out what is buffered.
func (p *textOut) Flush() {
	p.mu.Lock()
	p.writeDot()
	p.w.Flush()
	p.mu.Unlock()
}

func (p *textOut) stamp(t time.Time) {
	if p.o.timestamps {
		us := t.UnixMicro()
		fmt.Fprintf(p.w, "[%d.%06d] ", us/1e6, us%1e6)
	}
}

// event is the engine's handler.
func (p *textOut) event(ev *echo.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o := p.o
	if p.dot {
		if ev.Kind == echo.EventSendError && ev.Seq == p.dotSeq && o.flood {
			p.dot = false
			p.w.WriteByte('E')
			return
		}
		p.writeDot()
	}
	switch ev.Kind {
	case echo.EventSent:
		switch {
		case o.flood && !o.quiet:
			p.dot, p.dotSeq = true, ev.Seq
		case o.outstanding && ev.Unanswered && !o.quiet:
			p.stamp(ev.Time)
			fmt.Fprintf(p.w, "no answer yet for icmp_seq=%d\n", ev.Seq-1)
		}
	case echo.EventReply, echo.EventDuplicate:
		switch {
		case o.quiet:
		case o.flood:
			p.w.WriteString("\b \b")
		default:
			p.reply(ev)
		}
	case echo.EventError:
		switch {
		case o.quiet:
		case o.flood:
			p.w.WriteString("\bE")
		default:
			p.stamp(ev.Time)
			fmt.Fprintf(p.w, "From %s icmp_seq=%d %s\n", p.names.format(ev.From), ev.Seq, errorText(&ev.ICMP))
		}
	case echo.EventSendError:
		var tl *icmp.MessageTooLongError
		switch tooLong := errors.As(ev.Err, &tl); {
		case tooLong && o.quiet:
			// iputils -q says nothing of a local error.
		case o.flood:
			// The probe's dot went out with a later one's: rub it out.
			p.w.WriteString("\bE")
		case tooLong:
			p.w.Flush()
			fmt.Fprintf(p.errw, "rawkit ping: %s\n", localErrorText(ev.Dst, tl.MTU))
		default:
			p.w.Flush()
			fmt.Fprintf(p.errw, "rawkit ping: sendmsg: %v\n", ev.Err)
		}
	}
	if p.flush {
		p.w.Flush()
	}
}

func (p *textOut) reply(ev *echo.Event) {
	p.stamp(ev.Time)
	b := p.w.AvailableBuffer()
	b = strconv.AppendInt(b, int64(ev.Bytes), 10)
	b = append(b, " bytes from "...)
	b = append(b, p.names.format(ev.From)...)
	b = append(b, ": icmp_seq="...)
	b = strconv.AppendUint(b, uint64(ev.Seq), 10)
	if ev.TTL >= 0 {
		b = append(b, " ttl="...)
		b = strconv.AppendInt(b, int64(ev.TTL), 10)
	}
	if ev.Bytes < p.o.size+8 {
		b = append(b, " (truncated)\n"...)
		p.w.Write(b)
		return
	}
	if p.timing {
		b = append(b, " time="...)
		b = appendRTT(b, ev.RTT.Microseconds())
		b = append(b, " ms"...)
	}
	if ev.Kind == echo.EventDuplicate {
		b = append(b, " (DUP!)"...)
	}
	if ev.WrongByte > 0 {
		b = p.appendWrongData(b, ev)
	}
	if p.o.audible {
		b = append(b, '\a')
	}
	b = append(b, '\n')
	p.w.Write(b)
}

// appendWrongData appends iputils' report of a reply whose payload is
// not what was sent (ping_common.c gather_statistics): the first wrong
// byte, then the payload from byte 16 on, 32 bytes a line.
func (p *textOut) appendWrongData(b []byte, ev *echo.Event) []byte {
	const from = 16 // past iputils' struct timeval
	i := ev.WrongByte
	b = fmt.Appendf(b, "\nwrong data byte #%d should be 0x%x but was 0x%x", i, fill(i, p.o.pattern), ev.Payload[i])
	for i := from; i < min(p.o.size, len(ev.Payload)); i++ {
		if i%32 == from {
			b = fmt.Appendf(b, "\n#%d\t", i)
		}
		b = fmt.Appendf(b, "%x ", ev.Payload[i])
	}
	return b
}

// fill is the byte the payload carries at offset i: -p's pattern,
// repeated, or by default i itself (echo.Config.Pattern).
func fill(i int, pattern []byte) byte {
	if len(pattern) == 0 {
		return byte(i)
	}
	return pattern[i%len(pattern)]
}

// appendRTT formats a round trip as iputils' reply lines do: three
// significant decimals below 1 ms, fewer above, none from 100 ms.
func appendRTT(b []byte, us int64) []byte {
	switch {
	case us >= 100000-50:
		return strconv.AppendInt(b, (us+500)/1000, 10)
	case us >= 10000-5:
		return fmt.Appendf(b, "%d.%01d", (us+50)/1000, ((us+50)%1000)/100)
	case us >= 1000:
		return fmt.Appendf(b, "%d.%02d", (us+5)/1000, ((us+5)%1000)/10)
	}
	return fmt.Appendf(b, "%d.%03d", us/1000, us%1000)
}

// ms3 formats microseconds as iputils' statistics do: %ld.%03ld.
func ms3(d time.Duration) string {
	us := d.Microseconds()
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// writeDot writes the pending flood dot, if any.
func (p *textOut) writeDot() {
	if p.dot {
		p.dot = false
		p.w.WriteByte('.')
	}
}
