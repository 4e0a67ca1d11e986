package capture

import (
	"context"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	rcapture "github.com/rawkit/rawkit/capture"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// errStop ends a loop once -c packets are out.
var errStop = errors.New("count reached")

// liveCapture captures until the count, the duration or a signal, then
// drains what the kernel still holds, flushes, and prints the counts.
func liveCapture(ctx context.Context, sio *cli.Stdio, o *opts) int {
	c, err := o.env.Listen(o.iface, &rcapture.Config{SnapLen: o.snap, Promiscuous: o.promisc, Filter: o.expr})
	if err != nil {
		return cli.Failf(sio, "capture", "%s", errText(err))
	}
	defer c.Close()
	if code, ok := dropPrivileges(sio, o); !ok {
		return code
	}
	s, f, err := openSink(sio, o, c.LinkType(), o.iface)
	if err != nil {
		return cli.Failf(sio, "capture", "%s", errText(err))
	}
	fmt.Fprintf(sio.Err, "rawkit capture: listening on %s, link-type %v, snapshot length %d bytes\n", o.iface, c.LinkType(), c.SnapLen())
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	put := func(data []byte, ci gopacket.CaptureInfo) error {
		if err := s.put(ci, data, c.LinkType()); err != nil {
			return err
		}
		// Lines go out as soon as the kernel has nothing more for us,
		// so that a terminal or a pipe sees them without delay.
		if s.out != nil && c.Buffered() == 0 {
			if err := s.out.Flush(); err != nil {
				return err
			}
		}
		if o.count > 0 && s.n >= o.count {
			return errStop
		}
		return nil
	}
	for err == nil {
		var data []byte
		var ci gopacket.CaptureInfo
		data, ci, err = c.ReadPacket(ctx)
		if err == nil {
			err = put(data, ci)
		}
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Interrupted or out of time: keep what the kernel already has.
		err = c.Drain(put)
	}
	if errors.Is(err, errStop) {
		err = nil
	}
	err = finish(s, f, err)
	st, serr := c.Stats()
	fmt.Fprintf(sio.Err, "%s captured\n%s received by filter\n%s dropped by kernel\n",
		plural(uint64(s.n), "packet"), plural(st.Received, "packet"), plural(st.Dropped, "packet"))
	if err == nil {
		err = serr
	}
	if err != nil {
		return cli.Failf(sio, "capture", "%s", errText(err))
	}
	return cli.ExitOK
}
