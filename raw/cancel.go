package raw

import (
	"context"
	"errors"
	"os"
	"time"
)

// aLongTimeAgo is a deadline in the past: setting it wakes every blocked
// call on the socket with os.ErrDeadlineExceeded.
var aLongTimeAgo = time.Unix(1, 0)

// A canceler ties one blocking call to a context without a goroutine per
// call: context.AfterFunc pokes a past deadline into the socket when ctx
// is done, which the runtime poller turns into a wake-up. Cancelers are
// pooled so the bound function and channel are made once.
type canceler struct {
	c     *Conn
	write bool
	fired chan struct{} // receives once per poke
	poke  func()        // c.pokeDeadline bound once
	stop  func() bool
}

func (w *canceler) pokeDeadline() {
	if w.write {
		_ = w.c.pc.SetWriteDeadline(aLongTimeAgo)
	} else {
		_ = w.c.pc.SetReadDeadline(aLongTimeAgo)
	}
	w.fired <- struct{}{}
}

// watch arms cancellation of the calling read (or write) by ctx. The
// returned canceler is nil when ctx can never be done, which keeps the
// common context.Background() path allocation-free.
func (c *Conn) watch(ctx context.Context, write bool) *canceler {
	if ctx.Done() == nil {
		return nil
	}
	w, _ := c.cancelers.Get().(*canceler)
	if w == nil {
		w = &canceler{c: c, fired: make(chan struct{}, 1)}
		w.poke = w.pokeDeadline
	}
	w.write = write
	w.stop = context.AfterFunc(ctx, w.poke)
	return w
}

// done disarms w and reports whether ctx fired during the call; if it
// did, the caller's own deadline is put back so the next call is not
// failed by the poke. err is the call's error, replaced by ctx.Err()
// when the poke caused it.
func (w *canceler) done(ctx context.Context, err error) error {
	if w == nil {
		return err
	}
	c := w.c
	if !w.stop() {
		// AfterFunc has started the poke: wait until it has been made
		// before restoring, or the restore could be overwritten.
		<-w.fired
		if w.write {
			_ = c.pc.SetWriteDeadline(nanosDeadline(c.writeDeadline.Load()))
		} else {
			_ = c.pc.SetReadDeadline(nanosDeadline(c.readDeadline.Load()))
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = ctx.Err()
		}
	}
	w.stop = nil
	c.cancelers.Put(w)
	return err
}

func nanosDeadline(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}
