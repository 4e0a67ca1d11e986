package mtr

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/record"
	"github.com/rawkit/rawkit/icmp/trace"
)

// streamSchema is the version of the --jsonl stream (and of --record
// files); a replay refuses any other.
const streamSchema = 1

// event is one line of the --jsonl stream: "start" (one per target,
// everything a replay needs to print the same report), "probe" (a probe
// settled), "path_change" (a flow's responder at a TTL changed),
// "round" (a round completed), "summary" (one per target, its
// statistics as --json prints them) and "end" (the run ended; a
// recording without it is truncated).
type event struct {
	Type   string `json:"type"`
	Schema int    `json:"schema,omitempty"`
	Target int    `json:"target"` // index of the HOST operand

	// start
	Host       string  `json:"host,omitempty"` // as typed
	Dst        string  `json:"dst,omitempty"`
	Method     string  `json:"method,omitempty"`
	Flows      int     `json:"flows,omitempty"`
	FirstTTL   int     `json:"first_ttl,omitempty"`
	MaxTTL     int     `json:"max_ttl,omitempty"`
	TOS        *int    `json:"tos,omitempty"`
	PSize      int     `json:"psize,omitempty"`
	Count      *int    `json:"count,omitempty"`
	IntervalMs float64 `json:"interval_ms,omitempty"`
	LocalHost  string  `json:"local_host,omitempty"`
	Mode       string  `json:"mode,omitempty"` // how probes were sent: raw or unprivileged
	Time       string  `json:"time,omitempty"` // RFC 3339, nanoseconds

	// probe and path_change
	Round     int64             `json:"round,omitempty"`
	Flow      *int              `json:"flow,omitempty"`
	TTL       int               `json:"ttl,omitempty"`
	Answered  *bool             `json:"answered,omitempty"`
	From      string            `json:"from,omitempty"`
	To        string            `json:"to,omitempty"`
	RTTus     *int64            `json:"rtt_us,omitempty"`
	ICMPType  *int              `json:"icmp_type,omitempty"`
	ICMPCode  *int              `json:"icmp_code,omitempty"`
	Reached   bool              `json:"reached,omitempty"`
	Final     bool              `json:"final,omitempty"`
	QuotedTOS *int              `json:"quoted_tos,omitempty"`
	NAT       bool              `json:"nat,omitempty"`
	MPLS      []trace.MPLSLabel `json:"mpls,omitempty"`
	Names     map[string]string `json:"names,omitempty"` // summary: reverse DNS used
	Summary   *jsonDoc          `json:"summary,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	// The local offset is kept: a replay prints the Start line the live
	// run printed, wherever it runs.
	return t.Format(time.RFC3339Nano)
}

func probeEvent(target int, p trace.MonitorProbe) event {
	e := event{Type: "probe", Target: target, Round: p.Round, Flow: record.Ptr(p.Flow), TTL: p.TTL,
		Answered: record.Ptr(p.Answered), Time: rfc3339(p.Sent)}
	if p.Answered {
		e.From = p.From.String()
		e.RTTus = record.Ptr(p.RTT.Microseconds())
		e.ICMPType, e.ICMPCode = record.Ptr(p.Type), record.Ptr(p.Code)
		e.Reached, e.Final, e.NAT, e.MPLS = p.Reached, p.Final, p.NAT, p.MPLS
		if p.QuotedTOS >= 0 {
			e.QuotedTOS = record.Ptr(p.QuotedTOS)
		}
	}
	return e
}

// toProbe rebuilds a probe from its event.
func (e *event) toProbe() (trace.MonitorProbe, error) {
	p := trace.MonitorProbe{Round: e.Round, TTL: e.TTL, Type: -1, Code: -1, QuotedTOS: -1}
	if e.Flow == nil || e.Answered == nil || e.TTL < 1 || e.TTL > 255 {
		return p, errors.New("probe record without flow, ttl or answered")
	}
	p.Flow, p.Answered = *e.Flow, *e.Answered
	if t, err := time.Parse(time.RFC3339Nano, e.Time); err == nil {
		p.Sent = t
	}
	if !p.Answered {
		return p, nil
	}
	a, err := netip.ParseAddr(e.From)
	if err != nil || e.RTTus == nil {
		return p, fmt.Errorf("answered probe record with from %q", e.From)
	}
	p.From, p.RTT = a, time.Duration(*e.RTTus)*time.Microsecond
	if e.ICMPType != nil {
		p.Type = *e.ICMPType
	}
	if e.ICMPCode != nil {
		p.Code = *e.ICMPCode
	}
	if e.QuotedTOS != nil {
		p.QuotedTOS = *e.QuotedTOS
	}
	p.Reached, p.Final, p.NAT, p.MPLS = e.Reached, e.Final, e.NAT, e.MPLS
	return p, nil
}

// stream writes events as JSON lines to each of its writers.
type stream struct {
	ws []*bufio.Writer
}

func (s *stream) emit(e event) {
	if s == nil || len(s.ws) == 0 {
		return
	}
	b, _ := json.Marshal(e)
	b = append(b, '\n')
	for _, w := range s.ws {
		w.Write(b)
	}
}

func (s *stream) flush() error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, w := range s.ws {
		errs = append(errs, w.Flush())
	}
	return errors.Join(errs...)
}

// jsonDoc is rawkit's --json document for one target.
type jsonDoc struct {
	Schema  int        `json:"schema"`
	Host    string     `json:"host"`
	Dst     string     `json:"dst"`
	Method  string     `json:"method"`
	Mode    string     `json:"mode"`
	Flows   int        `json:"flows"`
	Rounds  int        `json:"rounds"`
	Start   string     `json:"start"`
	End     string     `json:"end"`
	Reached bool       `json:"reached"`
	Hops    []jsonHop  `json:"hops"`
	Paths   []jsonFlow `json:"flow_paths"`
}

type jsonHop struct {
	TTL         int             `json:"ttl"`
	Sent        int             `json:"sent"`
	Lost        int             `json:"lost"`
	LossPct     float64         `json:"loss_pct"`
	RateLimited bool            `json:"rate_limited"`
	NAT         bool            `json:"nat"`
	TOSChanged  bool            `json:"tos_changed"`
	QuotedTOS   *int            `json:"quoted_tos"`
	PathChanged bool            `json:"path_changed"`
	Unreachable bool            `json:"unreachable"`
	Responders  []jsonResponder `json:"responders"`
}

type jsonResponder struct {
	Addr     string              `json:"addr"`
	Name     string              `json:"name,omitempty"`
	Received int                 `json:"received"`
	LossPct  float64             `json:"loss_pct"`
	Last     float64             `json:"last_ms"`
	Best     float64             `json:"best_ms"`
	Avg      float64             `json:"avg_ms"`
	Worst    float64             `json:"worst_ms"`
	StDev    float64             `json:"stdev_ms"`
	Gmean    float64             `json:"gmean_ms"`
	Jitter   float64             `json:"jitter_ms"`
	JAvg     float64             `json:"javg_ms"`
	JMax     float64             `json:"jmax_ms"`
	JInt     float64             `json:"jint_ms"`
	Flows    []int               `json:"flows"`
	MPLS     [][]trace.MPLSLabel `json:"mpls,omitempty"`
}

type jsonFlow struct {
	Flow int       `json:"flow"`
	Path []*string `json:"path"` // per TTL from the first; null: no answer yet
}

// doc builds the --json document of a finished report.
func (r *report) doc(mode string) *jsonDoc {
	s := &r.snap
	d := &jsonDoc{Schema: record.Schema, Host: r.target, Dst: s.Dst.String(), Method: s.Method.String(), Mode: mode,
		Flows: s.Flows, Rounds: s.Rounds, Start: rfc3339(s.Started), End: rfc3339(s.Ended), Reached: s.Reached,
		Hops: []jsonHop{}}
	for _, h := range s.Hops {
		jh := jsonHop{TTL: h.TTL, Sent: h.Sent, Lost: h.Lost, LossPct: h.Loss(), RateLimited: h.RateLimited, NAT: h.NAT,
			TOSChanged: h.TOSChanged, PathChanged: h.PathChanged, Unreachable: h.Unreachable, Responders: []jsonResponder{}}
		if h.QuotedTOS >= 0 {
			jh.QuotedTOS = record.Ptr(h.QuotedTOS)
		}
		for _, rs := range h.Responders {
			jh.Responders = append(jh.Responders, jsonResponder{Addr: rs.Addr.String(), Name: r.names[rs.Addr],
				Received: rs.Received, LossPct: rs.Loss, Last: record.Ms(rs.Last), Best: record.Ms(rs.Best),
				Avg: record.Ms(rs.Avg), Worst: record.Ms(rs.Worst), StDev: record.Ms(rs.StDev), Gmean: record.Ms(rs.Gmean),
				Jitter: record.Ms(rs.Jitter), JAvg: record.Ms(rs.JitterAvg), JMax: record.Ms(rs.JitterMax),
				JInt: record.Ms(rs.JitterInt), Flows: append([]int{}, rs.Flows...), MPLS: rs.MPLS})
		}
		d.Hops = append(d.Hops, jh)
	}
	for f, p := range s.FlowPaths {
		jf := jsonFlow{Flow: f, Path: make([]*string, len(p))}
		for i, a := range p {
			if a.IsValid() {
				jf.Path[i] = record.Ptr(a.String())
			}
		}
		d.Paths = append(d.Paths, jf)
	}
	return d
}

// writeJSON prints the --json document on one line.
func (r *report) writeJSON(w io.Writer, mode string) {
	b, _ := json.Marshal(r.doc(mode))
	w.Write(append(b, '\n'))
}
