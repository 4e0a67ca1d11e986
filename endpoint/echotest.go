package endpoint

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sort"
	"sync"
	"time"
)

// Defaults used when an EchoConfig field is zero.
const (
	DefaultEchoSize    = 64
	DefaultEchoTimeout = 2 * time.Second
	DefaultConnect     = 10 * time.Second
)

// EchoConfig tunes EchoTest. A nil *EchoConfig means all defaults.
type EchoConfig struct {
	Messages int // messages per connection; zero means 1
	Size     int // bytes per message; zero means DefaultEchoSize
	// MaxSize, when larger than Size, makes each message's size vary
	// uniformly between Size and MaxSize.
	MaxSize     int
	Concurrency int // connections (datagram sockets) at once; zero means 1
	// Window is how many messages each connection keeps in flight; zero
	// means 1: send, wait for the echo, send the next.
	Window int
	// Timeout is how long to wait for an echo: a datagram not echoed by
	// then counts as lost; a stream that stalls fails (after 3/4 to all
	// of Timeout with one small message in flight, which does not move
	// its deadline per message). Zero means DefaultEchoTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds each connection attempt; zero means
	// DefaultConnect.
	ConnectTimeout time.Duration
}

// EchoReport is what EchoTest measured.
type EchoReport struct {
	Network, Address string
	Connections      int // connections that were opened
	Failed           int // connections that could not be opened or ended with an error
	Sent             uint64
	RoundTrips       uint64 // echoes that came back intact
	Mismatches       uint64 // echoes whose bytes differ from what was sent
	Lost             uint64 // datagrams not echoed within Timeout
	Late             uint64 // echoes of datagrams already counted lost, or duplicates
	Unanswered       uint64 // messages whose connection failed before their echo came
	Bytes            uint64 // bytes of intact echoes
	LocalDrops       uint64 // echoes the client's own kernel dropped (UDP)
	Elapsed          time.Duration
	Latency          Latency
	Errors           []ErrorCount // distinct errors, most frequent first
}

// Latency holds round-trip time percentiles of the intact echoes.
type Latency struct{ P50, P90, P99, Max time.Duration }

// ErrorCount is one kind of error and how often it happened.
type ErrorCount struct {
	Error string
	Count int
}

// RoundTripsPerSecond returns intact round trips per second of wall time.
func (r *EchoReport) RoundTripsPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.RoundTrips) / r.Elapsed.Seconds()
}

// BytesPerSecond returns the bytes of intact echoes per second.
func (r *EchoReport) BytesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Bytes) / r.Elapsed.Seconds()
}

// OK reports whether every message came back intact.
func (r *EchoReport) OK() bool {
	return r.Failed == 0 && r.Sent > 0 && r.RoundTrips == r.Sent && r.Late == 0
}

// EchoTest measures an echo server: it opens Concurrency connections to
// address, sends Messages messages on each, checks every byte of every
// echo and reports round trips per second and latency. Message contents
// are random; on datagrams of 8 bytes or more the first 8 carry a
// connection tag and a sequence number, so that late, duplicated and
// misdelivered echoes are told apart from lost ones. The error is
// non-nil only when no connection could be opened or ctx ended the test;
// failures of single connections are counted in the report.
func EchoTest(ctx context.Context, network, address string, cfg *EchoConfig) (*EchoReport, error) {
	c, err := echoDefaults(network, cfg)
	if err != nil {
		return nil, err
	}
	rep := &EchoReport{Network: network, Address: address}
	errs := map[string]int{}
	conns := dialAll(ctx, network, address, &c, errs)
	pattern := make([]byte, c.MaxSize+patternSpan)
	var seed [32]byte
	_, _ = crand.Read(seed[:])
	_, _ = rand.NewChaCha8(seed).Read(pattern)

	workers := make([]*echoWorker, 0, len(conns))
	for _, conn := range conns {
		if conn != nil {
			workers = append(workers, newEchoWorker(conn, isStream(network), &c, pattern))
		}
	}
	rep.Connections = len(workers)
	rep.Failed = c.Concurrency - len(workers)
	if len(workers) == 0 {
		rep.Errors = sortedErrors(errs)
		return rep, fmt.Errorf("endpoint: echo test: no connection to %s %s: %s", network, address, firstError(rep.Errors))
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx)
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	rep.add(workers, errs)
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	return rep, nil
}

// patternSpan is how far message offsets in the random pattern spread.
const patternSpan = 64 << 10

func echoDefaults(network string, cfg *EchoConfig) (EchoConfig, error) {
	var c EchoConfig
	if cfg != nil {
		c = *cfg
	}
	c.Messages = cmp0(c.Messages, 1)
	c.Size = cmp0(c.Size, DefaultEchoSize)
	c.Concurrency = cmp0(c.Concurrency, 1)
	c.Window = cmp0(c.Window, 1)
	if c.Timeout == 0 {
		c.Timeout = DefaultEchoTimeout
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnect
	}
	c.MaxSize = max(c.MaxSize, c.Size)
	switch {
	case c.Messages < 0 || c.Size < 0 || c.Concurrency < 0 || c.Window < 0 || c.Timeout < 0:
		return c, errors.New("endpoint: echo test: negative value in EchoConfig")
	case isStream(network) && c.Size == 0:
		return c, errors.New("endpoint: echo test: stream messages need at least one byte")
	case !isStream(network) && c.MaxSize > 65507:
		return c, fmt.Errorf("endpoint: echo test: datagram size %d is over 65507, the largest UDP payload", c.MaxSize)
	case !isStream(network) && c.Size < tagLen && c.Window > 1:
		return c, fmt.Errorf("endpoint: echo test: datagrams under %d bytes carry no sequence number, so the window must be 1", tagLen)
	}
	return c, nil
}

func cmp0(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// dialAll opens the connections, at most 256 attempts at a time so that
// the server's accept queue is not overrun. Failed slots stay nil.
func dialAll(ctx context.Context, network, address string, c *EchoConfig, errs map[string]int) []*Conn {
	conns := make([]*Conn, c.Concurrency)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	rt := c.Timeout
	if !isStream(network) {
		rt = 0 // datagram readers wait until their writer is done
	}
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			conn, err := Dial(ctx, network, address, &DialConfig{ConnectTimeout: c.ConnectTimeout, ReadTimeout: rt})
			if err != nil {
				mu.Lock()
				errs[errorKind(err)]++
				mu.Unlock()
				return
			}
			conns[i] = conn
		}()
	}
	wg.Wait()
	return conns
}

// errorKind names an error without the addresses that make each unique.
func errorKind(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	return err.Error()
}

func (r *EchoReport) add(workers []*echoWorker, errs map[string]int) {
	var lat []time.Duration
	for _, w := range workers {
		r.Sent += w.nsent
		r.RoundTrips += w.ok
		r.Mismatches += w.mismatch
		r.Lost += w.lost
		r.Late += w.late
		r.Bytes += w.bytes
		r.LocalDrops += w.drops
		r.Unanswered += w.nsent - w.ok - w.mismatch - w.lost
		if w.err != nil {
			r.Failed++
			errs[errorKind(w.err)]++
		}
		lat = append(lat, w.lat...)
	}
	r.Latency = percentiles(lat)
	r.Errors = sortedErrors(errs)
}

// percentiles uses the nearest-rank method on the sorted samples.
func percentiles(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(lat))+0.999999) - 1
		return lat[min(max(i, 0), len(lat)-1)]
	}
	return Latency{P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: lat[len(lat)-1]}
}

func sortedErrors(errs map[string]int) []ErrorCount {
	out := make([]ErrorCount, 0, len(errs))
	for e, n := range errs {
		out = append(out, ErrorCount{e, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Error < out[j].Error
	})
	return out
}

func firstError(errs []ErrorCount) string {
	if len(errs) == 0 {
		return "unknown error"
	}
	return errs[0].Error
}

// randReader reads from crypto/rand.
type randReader struct{}

func (randReader) Read(b []byte) (int, error) { return crand.Read(b) }
