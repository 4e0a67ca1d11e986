package traceroute

import (
	"bufio"
	"encoding/json"
	"net/netip"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/record"
	"github.com/rawkit/rawkit/icmp/trace"
)

// traceJSONProbe is one probe of a --json hop line. Fields that do not
// apply are left out.
type traceJSONProbe struct {
	From       string          `json:"from,omitempty"`
	RTTMs      *float64        `json:"rtt_ms,omitempty"` // ms with µs precision; absent: no answer
	ICMPType   *int            `json:"icmp_type,omitempty"`
	ICMPCode   *int            `json:"icmp_code,omitempty"`
	QuotedTTL  *int            `json:"quoted_ttl,omitempty"`
	QuotedTOS  *int            `json:"quoted_tos,omitempty"`
	Annotation string          `json:"annotation,omitempty"` // !H, !N, !F-1280, ...
	MTU        int             `json:"mtu,omitempty"`        // --mtu: path MTU from this probe on
	Size       int             `json:"size"`                 // the probe's IP length
	Reached    bool            `json:"reached,omitempty"`
	Local      bool            `json:"local,omitempty"` // refused here, larger than the interface's MTU with -F: no from
	MPLS       []traceJSONMPLS `json:"mpls,omitempty"`
}

type traceJSONMPLS struct {
	Label int  `json:"label"`
	TC    int  `json:"tc"`
	S     bool `json:"s"`
	TTL   int  `json:"ttl"`
}

type traceJSONHop struct {
	Type   string           `json:"type"` // hop
	TTL    int              `json:"ttl"`
	Probes []traceJSONProbe `json:"probes"`
}

type traceJSONSummary struct {
	Type        string  `json:"type"` // summary
	Schema      int     `json:"schema"`
	Destination string  `json:"destination"`
	Source      string  `json:"source"`
	Reached     bool    `json:"reached"`
	Hops        int     `json:"hops"`
	Sent        int     `json:"sent"`
	Answered    int     `json:"answered"`
	ElapsedMs   float64 `json:"elapsed_ms"`
}

// traceJSON prints --json: one object a line per hop, then a summary.
type traceJSON struct {
	w   *bufio.Writer
	dst netip.Addr
}

func (j *traceJSON) hop(h trace.Hop) {
	out := traceJSONHop{Type: "hop", TTL: h.TTL, Probes: make([]traceJSONProbe, len(h.Probes))}
	for k, p := range h.Probes {
		jp := &out.Probes[k]
		jp.Size = p.Size
		if !p.Answered {
			continue
		}
		if p.From.IsValid() {
			jp.From = p.From.String()
		}
		jp.Local = p.Local
		jp.RTTMs = record.Ptr(record.Ms(p.RTT))
		if p.Type >= 0 {
			jp.ICMPType, jp.ICMPCode = &p.Type, &p.Code
		}
		if p.QuotedTTL >= 0 {
			jp.QuotedTTL, jp.QuotedTOS = &p.QuotedTTL, &p.QuotedTOS
		}
		jp.Annotation, jp.MTU, jp.Reached = annotation(p), p.MTU, p.Reached
		jp.MPLS = mplsLabels(p)
	}
	j.write(out)
}

func mplsLabels(p trace.ProbeResult) []traceJSONMPLS {
	var out []traceJSONMPLS
	for _, e := range p.Extensions {
		if st, ok := e.(*xicmp.MPLSLabelStack); ok {
			for _, l := range st.Labels {
				out = append(out, traceJSONMPLS{Label: l.Label, TC: l.TC, S: l.S, TTL: l.TTL})
			}
		}
	}
	return out
}

func (j *traceJSON) summary(s trace.Summary) {
	j.write(traceJSONSummary{
		Type: "summary", Schema: record.Schema,
		Destination: j.dst.String(), Source: s.Source.String(),
		Reached: s.Reached, Hops: s.Hops, Sent: s.Sent, Answered: s.Answered,
		ElapsedMs: record.Ms(s.Elapsed),
	})
}

func (j *traceJSON) write(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return // plain structs of numbers and strings always marshal
	}
	j.w.Write(append(b, '\n'))
	j.w.Flush()
}
