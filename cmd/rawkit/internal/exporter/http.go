package exporter

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"net/http/pprof"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routes is the exporter's HTTP API.
func (x *exporter) routes(reg *prometheus.Registry, set *seriesSet) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", newMetricsHandler(reg, set, log.New(x.sio.Err, "rawkit exporter: /metrics: ", 0)))
	mux.HandleFunc("GET /probe", x.handleProbe)
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Healthy.")
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		select {
		case <-x.ready:
			fmt.Fprintln(w, "Ready.")
		default:
			http.Error(w, "Not ready: the first configuration is being applied.", http.StatusServiceUnavailable)
		}
	})
	mux.HandleFunc("POST /-/reload", func(w http.ResponseWriter, r *http.Request) {
		// A client that hangs up must not cut the lookups short: a
		// lookup cut short would count as a resolution failure.
		if err := x.reload(context.WithoutCancel(r.Context()), true); err != nil {
			http.Error(w, "reload failed, the running configuration stays: "+oneLine(err.Error()), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Reloaded.")
	})
	mux.HandleFunc("GET /{$}", x.landing)
	if x.o.pprof {
		// net/http/pprof's handlers, on this mux only (not the
		// DefaultServeMux its init registers them on), so behind
		// --web.config.file's TLS and authentication like the rest.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// row is one target on the landing page.
type row struct {
	Target, IP, Labels, State string
	Loss, RTT                 string
}

var landingPage = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>rawkit exporter</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}tr:nth-child(even){background:#eee}</style>
</head><body>
<h1>rawkit exporter</h1>
<p><a href="metrics">Metrics</a> · <a href="probe?target=127.0.0.1">Probe 127.0.0.1</a> · configuration {{.File}} · {{len .Rows}} targets</p>
<table><tr><th>target</th><th>ip</th><th>labels</th><th>state</th><th>loss (last {{.Window}})</th><th>mean RTT</th></tr>
{{range .Rows}}<tr><td>{{.Target}}</td><td>{{.IP}}</td><td>{{.Labels}}</td><td>{{.State}}</td><td>{{.Loss}}</td><td>{{.RTT}}</td></tr>
{{end}}</table>
{{if .Paths}}<h2>Paths</h2>
<table><tr><th>target</th><th>method</th><th>ip</th><th>labels</th><th>state</th><th>rounds</th><th>changes</th><th>reached</th><th>hops (TTL, last responder, lost of sent)</th></tr>
{{range .Paths}}<tr><td>{{.Target}}</td><td>{{.Method}}</td><td>{{.IP}}</td><td>{{.Labels}}</td><td>{{.State}}</td><td>{{.Rounds}}</td><td>{{.Changes}}</td><td>{{.Reached}}</td><td>{{.Hops}}</td></tr>
{{end}}</table>{{end}}</body></html>
`))

// pathRow is one path target on the landing page.
type pathRow struct {
	Target, Method, IP, Labels, State string
	Rounds, Changes                   int
	Reached                           string
	Hops                              string
}

// pathRows lists the path targets; called with x.ts.mu.
func (x *exporter) pathRows() []pathRow {
	rows := make([]pathRow, 0, len(x.ts.paths))
	for _, pt := range x.ts.paths {
		r := pathRow{Target: pt.e.target, Method: pt.e.set.Method.String(), Labels: strings.TrimSuffix(labelKey(pt.e.set.Labels), ","),
			State: stateProbed, Reached: "-"}
		switch {
		case !pt.addr.IsValid():
			r.State = stateUnresolved
		case pt.failed.Load():
			r.State = stateFailed + " (see the log)"
		}
		if pt.addr.IsValid() {
			r.IP = pt.addr.String()
		}
		if pt.s != nil {
			var reached bool
			r.Rounds, r.Changes, reached, r.Hops = pt.s.summary()
			if r.Rounds > 0 {
				r.Reached = map[bool]string{true: "yes", false: "no"}[reached]
			}
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b pathRow) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Method, b.Method), cmp.Compare(a.Labels, b.Labels))
	})
	return rows
}

// maxLandingRows bounds the page: 100,000 rows help no reader.
const maxLandingRows = 5000

// landing lists the targets with their loss and mean RTT over their
// last windowLen probes, then the path targets hop by hop.
func (x *exporter) landing(w http.ResponseWriter, _ *http.Request) {
	x.ts.mu.Lock()
	file := ""
	if x.ts.cfg != nil {
		file = x.ts.cfg.File
	}
	rows := make([]row, 0, len(x.ts.targets))
	for _, t := range x.ts.targets {
		r := row{Target: t.e.target, Labels: strings.TrimSuffix(labelKey(t.e.set.Labels), ","), State: stateProbed, Loss: "-", RTT: "-"}
		switch {
		case !t.addr.IsValid():
			r.State = stateUnresolved
		case t.err != nil:
			r.State = stateFailed + ": " + t.err.Error()
		}
		if t.addr.IsValid() {
			r.IP = t.addr.String()
		}
		if t.s != nil {
			if n, loss, rtt, replies := t.s.win.summary(); n > 0 {
				r.Loss = fmt.Sprintf("%.1f%% of %d", loss*100, n)
				if replies > 0 {
					r.RTT = rtt.Round(time.Microsecond).String()
				}
			}
		}
		rows = append(rows, r)
	}
	paths := x.pathRows()
	x.ts.mu.Unlock()
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.IP, b.IP), cmp.Compare(a.Labels, b.Labels))
	})
	if len(rows) > maxLandingRows {
		rows = rows[:maxLandingRows]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	landingPage.Execute(w, map[string]any{"File": file, "Rows": rows, "Window": windowLen, "Paths": paths})
}
