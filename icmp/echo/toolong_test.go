//go:build go1.25

package echo

import (
	"github.com/rawkit/rawkit/icmp/icmptest"

	"github.com/rawkit/rawkit/icmp"

	"context"
	"errors"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// tooLongConn refuses the even probes as the kernel refuses a request
// over the path MTU with IP_PMTUDISC_DO.
type tooLongConn struct{ *icmptest.Conn }

func (c tooLongConn) WriteTo(ctx context.Context, b []byte, dst netip.Addr) (int, error) {
	if icmptest.Seq(b)%2 == 0 {
		return 0, &icmp.MessageTooLongError{MTU: 1280, Err: os.NewSyscallError("sendto", syscall.EMSGSIZE)}
	}
	return c.Conn.WriteTo(ctx, b, dst)
}

// TestEchoLocalErrors: a probe refused as too long counts as sent, lost
// and an error (iputils' "+N errors"); the run goes on with the others.
func TestEchoLocalErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := tooLongConn{icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)}
		start := time.Now()
		e, rec, err := run(t, c, []netip.Addr{target1}, Config{Count: 4})
		if err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if s.Transmitted != 4 || s.Received != 2 || s.Errors != 2 || s.LocalErrors != 2 || s.Lost != 2 || s.Pending() != 0 {
			t.Errorf("stats %+v, want 4 sent, 2 received, 2 errors, all local, 2 lost", s)
		}
		if ts := e.TargetStats(0); ts.LocalErrors != 2 || ts.Errors != 2 {
			t.Errorf("target stats %+v, want 2 local errors", ts)
		}
		if got := len(c.Sent()); got != 2 {
			t.Errorf("%d probes reached the wire, want 2", got)
		}
		evs := rec.kinds(EventSendError)
		if len(evs) != 2 {
			t.Fatalf("%d send errors, want 2", len(evs))
		}
		for i, ev := range evs {
			var tl *icmp.MessageTooLongError
			if !errors.As(ev.Err, &tl) || tl.MTU != 1280 || !errors.Is(ev.Err, syscall.EMSGSIZE) {
				t.Errorf("send error %d: %v, want a icmp.MessageTooLongError with MTU 1280", i, ev.Err)
			}
			if ev.Seq != uint16(2*(i+1)) {
				t.Errorf("send error %d for seq %d, want %d", i, ev.Seq, 2*(i+1))
			}
		}
		// Probe 4 fails at +3s: nothing is left to wait for.
		if d := time.Since(start); d != 3*time.Second {
			t.Errorf("run took %v, want 3s", d)
		}
	})
}

// TestEchoUncountedLocalErrors: with UncountedLocalErrors (iputils -q), a
// refused probe is no error: a run with StopOnError goes on.
func TestEchoUncountedLocalErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := tooLongConn{icmptest.NewConn(icmptest.ReplyAfter(time.Millisecond), nil)}
		e, _, err := run(t, c, []netip.Addr{target1}, Config{Count: 4, StopOnError: true, UncountedLocalErrors: true})
		if err != nil {
			t.Fatal(err)
		}
		s := e.Stats()
		if s.Transmitted != 4 || s.Received != 2 || s.Errors != 0 || s.LocalErrors != 2 || s.Lost != 2 {
			t.Errorf("stats %+v, want 4 sent, 2 received, no errors, 2 local, 2 lost", s)
		}
	})
}
