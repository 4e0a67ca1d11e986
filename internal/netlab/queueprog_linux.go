package netlab

import (
	"context"
	"fmt"
	"os"
	"sync"
)

// queueProgram is what each of netlab's NFQUEUE listeners (Delayer,
// MPLSExtender) holds: the queue, the iptables and ip6tables rules that
// feed it, and the goroutines that serve it.
type queueProgram struct {
	h     *Host
	what  string // for errors: "delay", "MPLS extensions"
	rules []*Rule
	q     *nfqueue
	stop  func() // unblocks what else the goroutines wait on, if set
	wg    sync.WaitGroup
	once  sync.Once

	mu  sync.Mutex
	err error // the first error of the listener
}

// stopWith closes the program when ctx is done, if it can be.
func (p *queueProgram) stopWith(ctx context.Context, stop func() error) {
	if ctx.Done() == nil {
		return
	}
	go func() {
		select {
		case <-ctx.Done():
			stop()
		case <-p.q.closed:
		}
	}()
}

// close removes the rules first, so that nothing more is queued, then
// lets go what the queue holds (closing a queue drops its packets), stops
// the listener and returns its first error.
func (p *queueProgram) close() error {
	p.once.Do(func() {
		_, gone := os.Stat(netnsDir + "/" + p.h.Name)
		for _, r := range p.rules {
			if err := r.Remove(context.Background()); gone == nil {
				p.fail(err) // else the namespace, and the rules with it, are gone
			}
		}
		p.fail(p.q.acceptAll())
		p.q.close()
		if p.stop != nil {
			p.stop()
		}
		p.wg.Wait()
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// fail keeps err if it is the first.
func (p *queueProgram) fail(err error) {
	if err == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil {
		p.err = fmt.Errorf("netlab: %s: %s: %w", p.h.Name, p.what, err)
	}
}

// queueRule is one iptables (v6: ip6tables) rule of a queue program.
type queueRule struct {
	v6    bool
	chain string
	spec  []string
}

// addRules adds the mangle rules that feed the program's queue, in
// order; on failure it removes those it added.
func (p *queueProgram) addRules(ctx context.Context, rules ...queueRule) error {
	for _, qr := range rules {
		add := p.h.AddRule
		if qr.v6 {
			add = p.h.AddRule6
		}
		r, err := add(ctx, "mangle", qr.chain, qr.spec...)
		if err != nil {
			for _, r := range p.rules {
				r.Remove(context.Background())
			}
			p.rules = nil
			return err
		}
		p.rules = append(p.rules, r)
	}
	return nil
}
