package exporter

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rawkit/rawkit/icmp/echo"
)

// Bounds of /probe: what one request may send, and how many may run at
// once (each is a target of the engine while it runs).
const (
	defaultProbeCount   = 3
	maxProbeCount       = 20
	maxConcurrentProbes = 16
	// defaultScrapeTimeout is taken when the request does not carry
	// Prometheus' X-Prometheus-Scrape-Timeout-Seconds.
	defaultScrapeTimeout = 10 * time.Second
	// scrapeMargin is left of the scrape timeout for the answer to
	// travel back, as blackbox_exporter leaves it.
	scrapeMargin = 500 * time.Millisecond
)

// probeBudget returns how long a /probe request may take.
func probeBudget(r *http.Request) time.Duration {
	d := defaultScrapeTimeout
	if v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 && s < 3600 {
			d = time.Duration(s * float64(time.Second))
		}
	}
	return max(d-scrapeMargin, 0)
}

// probeArgs reads target and count, or says in one line what is wrong.
func probeArgs(r *http.Request) (host string, count int, err error) {
	q := r.URL.Query()
	host = q.Get("target")
	switch {
	case host == "":
		return "", 0, fmt.Errorf("target parameter is missing")
	case strings.Contains(host, "/"):
		return "", 0, fmt.Errorf("bad target %q: one host, not a range", host)
	}
	if err := checkHostSyntax(host); err != nil {
		return "", 0, err
	}
	count = defaultProbeCount
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxProbeCount {
			return "", 0, fmt.Errorf("bad count %q: want 1 to %d", v, maxProbeCount)
		}
		count = n
	}
	return host, count, nil
}

// handleProbe answers /probe?target=HOST[&count=N] as blackbox_exporter's
// ICMP module answers /probe, over the exporter's own engine: count
// echoes spread over the scrape's time, each with its timeout.
func (x *exporter) handleProbe(w http.ResponseWriter, r *http.Request) {
	host, count, err := probeArgs(r)
	if err != nil {
		x.ts.self.probes.WithLabelValues("bad_request").Inc()
		http.Error(w, oneLine(err.Error()), http.StatusBadRequest)
		return
	}
	budget := probeBudget(r)
	// count probes at interval, the first one at most an interval late
	// (the engine spreads first sends over the interval), each ending
	// by its timeout before the next is due.
	interval := min(time.Second, budget/time.Duration(count+1))
	timeout := min(2*time.Second, interval*9/10)
	if timeout < 10*time.Millisecond {
		x.ts.self.probes.WithLabelValues("bad_request").Inc()
		http.Error(w, fmt.Sprintf("bad count %d: does not fit in a scrape timeout of %v", count, budget+scrapeMargin), http.StatusBadRequest)
		return
	}
	select {
	case x.probes <- struct{}{}:
		defer func() { <-x.probes }()
	default:
		x.ts.self.probes.WithLabelValues("busy").Inc()
		http.Error(w, fmt.Sprintf("%d probes are running, the most at once", maxConcurrentProbes), http.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), budget)
	defer cancel()
	reg := x.runProbe(ctx, host, count, interval, timeout)
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// probeResult gathers one /probe run's events.
type probeResult struct {
	mu            sync.Mutex
	count         int
	sent, replies int
	ended         int
	rttSum        time.Duration
	ttl           int
	done          chan struct{}
}

func (p *probeResult) handle(ev *echo.Event) {
	if ev.Probe > p.count {
		return // sent while the probe was being removed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case ev.Kind == echo.EventSent:
		p.sent++
	case ev.Kind == echo.EventReply && !ev.Late:
		p.replies++
		p.rttSum += ev.RTT
		p.ttl = ev.TTL
		p.ended++
	case ev.Kind == echo.EventLost:
		p.ended++
	}
	if p.ended == p.count {
		close(p.done)
	}
}

// runProbe probes host and returns the registry of the answer.
func (x *exporter) runProbe(ctx context.Context, host string, count int, interval, timeout time.Duration) *prometheus.Registry {
	start := time.Now()
	reg := prometheus.NewRegistry()
	gauge := func(name, help string) prometheus.Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		reg.MustRegister(g)
		return g
	}
	success := gauge("probe_success", "Whether the probe succeeded: at least one reply came.")
	duration := gauge("probe_duration_seconds", "How long the probe took, in seconds.")
	phases := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "probe_icmp_duration_seconds", Help: "Duration of the ICMP probe by phase (rtt: the mean of the replies)."}, []string{"phase"})
	reg.MustRegister(phases)
	for _, ph := range []string{"resolve", "setup", "rtt"} {
		phases.WithLabelValues(ph)
	}
	defer func() { duration.Set(time.Since(start).Seconds()) }()

	addr, err := netip.ParseAddr(host)
	if err != nil {
		addr, err = resolveOne(ctx, x.env.Resolver, host)
	}
	phases.WithLabelValues("resolve").Set(time.Since(start).Seconds())
	gauge("probe_dns_lookup_time_seconds", "Time taken to resolve the target, in seconds.").Set(time.Since(start).Seconds())
	if err != nil {
		x.ts.self.probes.WithLabelValues("failure").Inc()
		return reg
	}
	addr = addr.Unmap()
	proto := 4.0
	if addr.Is6() {
		proto = 6
	}
	gauge("probe_ip_protocol", "IP protocol of the probe: 4 or 6.").Set(proto)

	setup := time.Now()
	res := &probeResult{count: count, done: make(chan struct{})}
	p, err := x.mon.Add(MonitorTarget{Addr: addr, Interval: interval, Timeout: timeout, Size: 56, Handler: res.handle})
	phases.WithLabelValues("setup").Set(time.Since(setup).Seconds())
	if err != nil {
		x.ts.self.probes.WithLabelValues("failure").Inc()
		return reg
	}
	select {
	case <-res.done:
	case <-ctx.Done():
	}
	p.Remove()

	res.mu.Lock()
	defer res.mu.Unlock()
	gauge("probe_icmp_requests", "Echo requests sent.").Set(float64(res.sent))
	gauge("probe_icmp_replies", "Echo replies received in time.").Set(float64(res.replies))
	if res.sent > 0 {
		gauge("probe_icmp_loss_ratio", "Share of the requests sent that got no reply in time.").Set(float64(res.sent-res.replies) / float64(res.sent))
	}
	if res.replies > 0 {
		phases.WithLabelValues("rtt").Set((res.rttSum / time.Duration(res.replies)).Seconds())
		if res.ttl >= 0 {
			gauge("probe_icmp_reply_hop_limit", "Replied packet hop limit (TTL for IPv4).").Set(float64(res.ttl))
		}
		success.Set(1)
		x.ts.self.probes.WithLabelValues("success").Inc()
	} else {
		x.ts.self.probes.WithLabelValues("failure").Inc()
	}
	return reg
}
