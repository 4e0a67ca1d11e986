package raw

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// Directions of a blocking call, indexing deadlines' arrays.
const (
	dirRead = iota
	dirWrite
)

// aLongTimeAgo is a deadline in the past: setting it wakes every blocked
// call of that direction with os.ErrDeadlineExceeded.
var aLongTimeAgo = time.Unix(1, 0)

// deadlines keeps the caller's deadlines apart from the past deadlines
// that context cancellation pokes into the socket, so that one call's
// cancellation neither erases the caller's deadline nor ends other calls.
type deadlines struct {
	mu    sync.Mutex
	cond  sync.Cond    // broadcast when pokes change
	user  [2]time.Time // the caller's deadline per direction
	pokes [2]int       // cancellations in force per direction
}

func (c *Conn) setDeadline(dir int, t time.Time) error {
	d := &c.dl
	d.mu.Lock()
	defer d.mu.Unlock()
	d.user[dir] = t
	if d.pokes[dir] > 0 {
		return nil // applied when the last cancellation ends
	}
	return c.applyDeadline(dir, t)
}

func (c *Conn) applyDeadline(dir int, t time.Time) error {
	return c.rc.setDeadline(dir, t)
}

// A canceler ties one blocking call to a context without a goroutine per
// call: context.AfterFunc pokes a past deadline into the socket when ctx
// is done, which the runtime poller turns into a wake-up. Cancelers are
// pooled so the bound function and channel are made once.
type canceler struct {
	c     *Conn
	dir   int
	fired chan struct{} // receives once per poke
	poke  func()        // pokeDeadline bound once
	stop  func() bool
}

func (w *canceler) pokeDeadline() {
	d := &w.c.dl
	d.mu.Lock()
	d.pokes[w.dir]++
	_ = w.c.applyDeadline(w.dir, aLongTimeAgo)
	d.mu.Unlock()
	d.cond.Broadcast()
	w.fired <- struct{}{}
}

// watch arms cancellation of the calling read or write by ctx. The
// returned canceler is nil when ctx can never be done, which keeps the
// common context.Background() path allocation-free.
func (c *Conn) watch(ctx context.Context, dir int) *canceler {
	if ctx.Done() == nil {
		return nil
	}
	w, _ := c.cancelers.Get().(*canceler)
	if w == nil {
		w = &canceler{c: c, fired: make(chan struct{}, 1)}
		w.poke = w.pokeDeadline
	}
	w.dir = dir
	w.stop = context.AfterFunc(ctx, w.poke)
	return w
}

// done disarms w. If ctx fired during the call, it waits until the poke
// was made, lifts it (the caller's deadline returns once no cancellation
// is in force) and turns the resulting timeout into ctx.Err().
func (w *canceler) done(ctx context.Context, err error) error {
	if w == nil {
		return err
	}
	c := w.c
	if !w.stop() {
		<-w.fired
		d := &c.dl
		d.mu.Lock()
		d.pokes[w.dir]--
		if d.pokes[w.dir] == 0 {
			_ = c.applyDeadline(w.dir, d.user[w.dir])
		}
		d.mu.Unlock()
		d.cond.Broadcast()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = ctx.Err()
		}
	}
	w.stop = nil
	c.cancelers.Put(w)
	return err
}

// retry reports whether a call that failed with err should run again:
// it timed out, yet neither its own ctx nor the caller's deadline caused
// it, so another call's cancellation did. It first waits until no
// cancellation is in force (or ctx is done).
func (c *Conn) retry(ctx context.Context, dir int, err error) bool {
	if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || ctx.Err() != nil {
		return false
	}
	d := &c.dl
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.pokes[dir] > 0 && ctx.Err() == nil {
		d.cond.Wait() // pokes and their ends broadcast
	}
	u := d.user[dir]
	return ctx.Err() == nil && (u.IsZero() || time.Now().Before(u))
}
