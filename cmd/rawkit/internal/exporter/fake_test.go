package exporter

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/icmp/icmptest"
	"github.com/rawkit/rawkit/icmp/trace"
)

// fakeMonitor records the targets added and lets a test send events to
// them, one at a time as the engine does.
type fakeMonitor struct {
	mu     sync.Mutex
	live   map[*fakeProbe]bool
	adds   int
	onAdd  func(*fakeProbe) // if set, called (without mu) after each Add
	emitMu sync.Mutex       // the engine calls handlers one at a time
}

type fakeProbe struct {
	m *fakeMonitor
	t MonitorTarget
	n int // events sent so far, for Probe numbers
}

func newFakeMonitor() *fakeMonitor { return &fakeMonitor{live: map[*fakeProbe]bool{}} }

func (m *fakeMonitor) Run(ctx context.Context) error { <-ctx.Done(); return nil }

func (m *fakeMonitor) Add(t MonitorTarget) (Probe, error) {
	if t.Addr.Is6() && t.Addr == netip.MustParseAddr("fd00::dead") {
		return nil, errors.New("no IPv6 socket")
	}
	p := &fakeProbe{m: m, t: t}
	m.mu.Lock()
	m.live[p] = true
	m.adds++
	f := m.onAdd
	m.mu.Unlock()
	if f != nil {
		f(p)
	}
	return p, nil
}

func (p *fakeProbe) Remove() {
	p.m.emitMu.Lock() // no event after Remove returns
	defer p.m.emitMu.Unlock()
	p.m.mu.Lock()
	delete(p.m.live, p)
	p.m.mu.Unlock()
}

func (m *fakeMonitor) Stats() MonitorStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return MonitorStats{Targets: len(m.live), SocketDrops: 7, SchedulerLag: 3 * time.Millisecond, SchedulerLagMax: time.Millisecond}
}

// probe returns the live probe of addr, or nil.
func (m *fakeMonitor) probe(addr string) *fakeProbe {
	m.mu.Lock()
	defer m.mu.Unlock()
	for p := range m.live {
		if p.t.Addr == netip.MustParseAddr(addr) {
			return p
		}
	}
	return nil
}

// emit sends ev to p, if p is still live.
func (p *fakeProbe) emit(ev echo.Event) {
	p.m.emitMu.Lock()
	defer p.m.emitMu.Unlock()
	p.m.mu.Lock()
	live := p.m.live[p]
	p.m.mu.Unlock()
	if live {
		ev.Dst = p.t.Addr
		p.t.Handler(&ev)
	}
}

// probes sends n probes to p: replies of rtt, or losses.
func (p *fakeProbe) probes(n int, rtt time.Duration, lost bool) {
	for range n {
		p.n++
		p.emit(echo.Event{Kind: echo.EventSent, Probe: p.n})
		if lost {
			p.emit(echo.Event{Kind: echo.EventLost, Probe: p.n})
		} else {
			p.emit(echo.Event{Kind: echo.EventReply, Probe: p.n, RTT: rtt, TTL: 64})
		}
	}
}

// fakeResolver answers from a map a test changes while the exporter runs.
type fakeResolver struct {
	mu    sync.Mutex
	names map[string]string // name -> address; missing: failure
}

func (r *fakeResolver) set(name, addr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if addr == "" {
		delete(r.names, name)
	} else {
		r.names[name] = addr
	}
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, ok := r.names[host]; ok {
		return []netip.Addr{netip.MustParseAddr(a)}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is one exporter run over a fake monitor.
type harness struct {
	t       *testing.T
	dir     string
	mon     *fakeMonitor
	res     *fakeResolver
	base    string // http://host:port
	client  *http.Client
	stderr  *syncBuffer
	hup     chan os.Signal
	cancel  func()
	code    chan int
	dropped bool
	ratesMu sync.Mutex
	rates   []float64 // what Env.SetProcs was given, in order
}

// setProcs is the harness's Env.SetProcs: it keeps the rates.
func (h *harness) setProcs(rate float64) {
	h.ratesMu.Lock()
	h.rates = append(h.rates, rate)
	h.ratesMu.Unlock()
}

// procRates returns the rates Env.SetProcs was given so far.
func (h *harness) procRates() []float64 {
	h.ratesMu.Lock()
	defer h.ratesMu.Unlock()
	return append([]float64(nil), h.rates...)
}

func testEnv(h *harness, ready chan net.Addr) *Env {
	return &Env{
		Listen: func(cfg *echo.ListenConfig) (*echo.Socket, error) {
			return &echo.Socket{Conn: icmptest.NewConn(nil, nil), Mode: echo.ModeRaw, IPv6: cfg.IPv6}, nil
		},
		NewMonitor: func([]echo.Socket) (Monitor, error) {
			if !h.dropped {
				return nil, errors.New("monitor made before the drop")
			}
			return h.mon, nil
		},
		// No unit test opens a real path monitor: those that have path
		// targets pass fakePaths.env.
		NewPathMonitor: func(netip.Addr, *trace.MonitorConfig) (PathMonitor, error) {
			return nil, errors.New("no path engine in this test")
		},
		NewPingPathMonitor: func(netip.Addr, *trace.MonitorConfig) (PathMonitor, error) {
			return nil, errors.New("no path engine in this test")
		},
		DropPrivileges: func() error { h.dropped = true; return nil },
		Resolver:       h.res,
		NotifyReload:   func() (<-chan os.Signal, func()) { return h.hup, func() {} },
		InterfaceAddrs: noInterfaces,
		Ready:          func(a net.Addr) { ready <- a },
		SetProcs:       h.setProcs,
		Version:        "v0.0.0-test",
	}
}

// startOpts are the less common ways to start a harness.
type startOpts struct {
	names map[string]string // what the resolver knows at the start
	args  []string
	pool  *x509.CertPool // the server speaks TLS with a certificate this trusts
	env   func(*Env)     // changes the fakes
}

// startExporter writes config and runs the exporter on it until the
// test ends.
func startExporter(t *testing.T, config string, args ...string) *harness {
	t.Helper()
	return startWith(t, config, startOpts{args: args})
}

// startExporterNames is startExporter with names the resolver knows.
func startExporterNames(t *testing.T, config string, names map[string]string) *harness {
	t.Helper()
	return startWith(t, config, startOpts{names: names})
}

func startWith(t *testing.T, config string, o startOpts) *harness {
	t.Helper()
	if o.names == nil {
		o.names = map[string]string{}
	}
	h := &harness{t: t, dir: t.TempDir(), mon: newFakeMonitor(), res: &fakeResolver{names: o.names},
		stderr: &syncBuffer{}, hup: make(chan os.Signal, 1), code: make(chan int, 1), client: &http.Client{Timeout: 20 * time.Second}}
	scheme := "http://"
	if o.pool != nil {
		scheme = "https://"
		h.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: o.pool}}
	}
	h.write("config.yml", config)
	ready := make(chan net.Addr, 1)
	env := testEnv(h, ready)
	if o.env != nil {
		o.env(env)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	argv := append([]string{"--config.file", filepath.Join(h.dir, "config.yml"), "--web.listen-address", "127.0.0.1:0"}, o.args...)
	go func() {
		h.code <- New(env).Run(ctx, &cli.Stdio{Out: &bytes.Buffer{}, Err: h.stderr}, argv)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-h.code:
			if c != 0 {
				t.Errorf("exit status %d, stderr %q", c, h.stderr.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("the exporter did not stop")
		}
	})
	select {
	case a := <-ready:
		h.base = scheme + a.String()
	case c := <-h.code:
		t.Fatalf("exit %d before serving: %s", c, h.stderr.String())
	}
	if o.pool == nil {
		h.waitReady()
	}
	return h
}

func (h *harness) write(name, text string) {
	h.t.Helper()
	tmp := filepath.Join(h.dir, name+".tmp")
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(h.dir, name)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) waitReady() {
	h.t.Helper()
	for range 200 {
		if code, _ := h.get("/-/ready"); code == 200 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatal("never ready")
}

func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := h.client.Get(h.base + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func (h *harness) post(path string) (int, string) {
	h.t.Helper()
	resp, err := h.client.Post(h.base+path, "", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// scrape returns /metrics parsed, in the text format or, with proto, in
// the protobuf one that carries native buckets.
func (h *harness) scrape(proto bool) map[string]*dto.MetricFamily {
	h.t.Helper()
	req, _ := http.NewRequest("GET", h.base+"/metrics", nil)
	if proto {
		req.Header.Set("Accept", `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited`)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	return decodeFamilies(h.t, resp)
}

func decodeFamilies(t *testing.T, resp *http.Response) map[string]*dto.MetricFamily {
	t.Helper()
	dec := expfmt.NewDecoder(resp.Body, expfmt.ResponseFormat(resp.Header))
	out := map[string]*dto.MetricFamily{}
	for {
		var mf dto.MetricFamily
		if err := dec.Decode(&mf); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("decoding %s: %v", resp.Header.Get("Content-Type"), err)
			}
			return out
		}
		out[mf.GetName()] = &mf
	}
}

// find returns the metric of family name whose labels include want.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	mf := fams[name]
	if mf == nil {
		return nil
	}
next:
	for _, m := range mf.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

func lbl(kv ...string) map[string]string {
	out := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// eventually retries f until it returns "" or a few seconds pass.
func eventually(t *testing.T, f func() string) {
	t.Helper()
	var msg string
	for range 300 {
		if msg = f(); msg == "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(msg)
}
