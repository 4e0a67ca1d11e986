package exporter

import (
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// selfMetrics are the exporter's own: targets, name resolution, the
// engine's lateness and kernel drops, reloads, build.
type selfMetrics struct {
	targets         *prometheus.GaugeVec
	resolveFailures *prometheus.CounterVec
	addrChanges     *prometheus.CounterVec
	reloadOK        prometheus.Gauge
	reloadTime      prometheus.Gauge
	probes          *prometheus.CounterVec
	stats           func() MonitorStats
	// pathTargets counts the path targets by state, set at each scrape
	// by countPaths (their monitors fail and recover on their own).
	pathTargets *prometheus.GaugeVec
	countPaths  func()
}

// pathStates collects rawkit_exporter_path_targets, counted first.
type pathStates struct{ m *selfMetrics }

func (c pathStates) Describe(ch chan<- *prometheus.Desc) { c.m.pathTargets.Describe(ch) }

func (c pathStates) Collect(ch chan<- prometheus.Metric) {
	if c.m.countPaths != nil {
		c.m.countPaths()
	}
	c.m.pathTargets.Collect(ch)
}

// Target states of rawkit_exporter_targets.
const (
	stateProbed     = "probed"
	stateUnresolved = "unresolved" // a name that never resolved
	stateFailed     = "failed"     // the engine refused it (see stderr)
)

// newRegistry returns the exporter's registry: its own metrics, the path
// targets' series (paths) and the Go and process collectors. The echo
// targets' series are not in it: the exposition writes them itself
// (expose.go).
func newRegistry(paths *pathSet, stats func() MonitorStats, version string) (*prometheus.Registry, *selfMetrics) {
	m := &selfMetrics{
		targets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rawkit_exporter_targets", Help: "Configured targets, by state: probed, unresolved (a name that never resolved) or failed.",
		}, []string{"state"}),
		resolveFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rawkit_exporter_resolution_failures_total", Help: "Failed lookups of a target's name; the last good address goes on being probed.",
		}, []string{"target"}),
		addrChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rawkit_exporter_address_changes_total", Help: "Times a target's name resolved to a new address (its series then carry the new ip label).",
		}, []string{"target"}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rawkit_exporter_config_last_reload_successful", Help: "Whether the last configuration reload succeeded (1) or left the running one in place (0).",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rawkit_exporter_config_last_reload_success_timestamp_seconds", Help: "Unix time of the last successful configuration load.",
		}),
		probes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rawkit_exporter_probe_requests_total", Help: "Requests to /probe, by outcome.",
		}, []string{"outcome"}),
		pathTargets: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rawkit_exporter_path_targets", Help: "Configured path targets, by state: probed, unresolved (a name that never resolved) or failed (not monitored now, see stderr; tried again).",
		}, []string{"state"}),
		stats: stats,
	}
	for _, s := range []string{stateProbed, stateUnresolved, stateFailed} {
		m.targets.WithLabelValues(s)
		m.pathTargets.WithLabelValues(s)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(paths, m.targets, m.resolveFailures, m.addrChanges, m.reloadOK, m.reloadTime, m.probes,
		engineCollector{stats}, pathStates{m},
		buildInfo(version),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg, m
}

var (
	descLag = prometheus.NewDesc("rawkit_exporter_scheduler_lag_seconds_total",
		"Sum over sends of how late each was against its schedule; divide by rawkit_ping_requests_total for the mean.", nil, nil)
	descLagMax = prometheus.NewDesc("rawkit_exporter_scheduler_lag_max_seconds",
		"Latest send against its schedule since the start.", nil, nil)
	descSkipped = prometheus.NewDesc("rawkit_exporter_skipped_probes_total",
		"Probes not sent because the exporter fell a whole interval behind (a stalled process); they are not sent in a burst later.", nil, nil)
	descStampMisses = prometheus.NewDesc("rawkit_exporter_send_stamp_misses_total",
		"Replies timed from the time taken before the write because the kernel's send stamp of their request had not come. (Before Linux 6.13 there are no send stamps: every reply is timed that way, and none is counted here.)", nil, nil)
	descDrops = prometheus.NewDesc("rawkit_exporter_socket_drops_total",
		"Packets the kernel dropped for want of room in the sockets' receive queues (SO_RXQ_OVFL, socket(7)).", nil, nil)
)

// engineCollector reads the engine's totals once per scrape.
type engineCollector struct{ stats func() MonitorStats }

func (engineCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descLag
	ch <- descLagMax
	ch <- descDrops
	ch <- descSkipped
	ch <- descStampMisses
}

func (c engineCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(descLag, prometheus.CounterValue, st.SchedulerLag.Seconds())
	ch <- prometheus.MustNewConstMetric(descLagMax, prometheus.GaugeValue, st.SchedulerLagMax.Seconds())
	ch <- prometheus.MustNewConstMetric(descDrops, prometheus.CounterValue, float64(st.SocketDrops))
	ch <- prometheus.MustNewConstMetric(descSkipped, prometheus.CounterValue, float64(st.Skipped))
	ch <- prometheus.MustNewConstMetric(descStampMisses, prometheus.CounterValue, float64(st.StampMisses))
}

// buildInfo is rawkit_exporter_build_info{version, goversion} 1.
func buildInfo(version string) prometheus.Collector {
	goVersion := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if version == "" {
			version = bi.Main.Version
		}
	}
	if version == "" {
		version = "unknown"
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "rawkit_exporter_build_info", Help: "A 1 whose labels name the build.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": goVersion},
	})
	g.Set(1)
	return g
}
