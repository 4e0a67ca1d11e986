package ping

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/record"
	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/echo"
)

// jsonEvent is one --json line for a reply, duplicate, lost probe, ICMP
// error or failed send. Fields that do not apply are left out.
type jsonEvent struct {
	Type   string   `json:"type"`             // reply, duplicate, lost, error, send_error
	Target string   `json:"target"`           // the probed address
	Seq    uint16   `json:"seq"`              // ICMP sequence number
	Probe  int      `json:"probe"`            // the target's probe count, from 1
	From   string   `json:"from,omitempty"`   // who answered
	Bytes  int      `json:"bytes,omitempty"`  // ICMP bytes of a reply
	TTL    *int     `json:"ttl,omitempty"`    // IP TTL of the answer
	RTTMs  *float64 `json:"rtt_ms,omitempty"` // round trip, ms with µs precision
	Late   bool     `json:"late,omitempty"`   // a reply after the probe was counted lost
	// WrongByte is the payload offset of the first byte of a reply that
	// differs from what was sent (iputils' "wrong data byte").
	WrongByte int    `json:"wrong_data_byte,omitempty"`
	ICMPType  *int   `json:"icmp_type,omitempty"`
	ICMPCode  *int   `json:"icmp_code,omitempty"`
	Message   string `json:"message,omitempty"` // iputils' text for the error
	MTU       int    `json:"mtu,omitempty"`     // next-hop MTU of "frag needed"
	Error     string `json:"error,omitempty"`   // why a send failed
	Time      string `json:"time"`              // RFC 3339 with ns: receive time, deadline or send time
}

// jsonStats are the statistics of one target or of the run.
type jsonStats struct {
	Target      string   `json:"target,omitempty"`
	Transmitted int      `json:"transmitted"`
	Received    int      `json:"received"`
	Duplicates  int      `json:"duplicates"`
	Errors      int      `json:"errors"`
	Lost        int      `json:"lost"`
	LossPercent float64  `json:"loss_percent"` // lost / (received + lost) × 100
	RTTMinMs    *float64 `json:"rtt_min_ms,omitempty"`
	RTTAvgMs    *float64 `json:"rtt_avg_ms,omitempty"`
	RTTMaxMs    *float64 `json:"rtt_max_ms,omitempty"`
	RTTMdevMs   *float64 `json:"rtt_mdev_ms,omitempty"`
}

// jsonSummary is the last --json line.
type jsonSummary struct {
	Type   string `json:"type"` // summary
	Schema int    `json:"schema"`
	Mode   string `json:"mode"` // raw or ping: the kind of socket used
	jsonStats
	Alive       int         `json:"alive"`
	Unreachable int         `json:"unreachable"`
	ElapsedMs   float64     `json:"elapsed_ms"` // first send to last send
	RatePPS     float64     `json:"rate_pps"`   // sends per second achieved
	Targets     []jsonStats `json:"targets"`
}

type jsonOut struct {
	mu      sync.Mutex
	w       *bufio.Writer
	enc     *json.Encoder
	targets []pingTarget
}

func newJSONOut(w io.Writer, targets []pingTarget) *jsonOut {
	bw := bufio.NewWriterSize(w, 64<<10)
	return &jsonOut{w: bw, enc: json.NewEncoder(bw), targets: targets}
}

func (j *jsonOut) Flush() {
	j.mu.Lock()
	j.w.Flush()
	j.mu.Unlock()
}

func (j *jsonOut) event(ev *echo.Event) {
	r := jsonEvent{Target: ev.Dst.String(), Seq: ev.Seq, Probe: ev.Probe, Time: ev.Time.UTC().Format(time.RFC3339Nano)}
	switch ev.Kind {
	case echo.EventReply, echo.EventDuplicate:
		r.Type = "reply"
		if ev.Kind == echo.EventDuplicate {
			r.Type = "duplicate"
		}
		r.From, r.Bytes, r.RTTMs, r.Late = ev.From.String(), ev.Bytes, record.Ptr(record.Ms(ev.RTT)), ev.Late
		r.WrongByte = ev.WrongByte
	case echo.EventLost:
		r.Type = "lost"
	case echo.EventError:
		r.Type, r.From = "error", ev.From.String()
		r.ICMPType, r.ICMPCode = record.Ptr(ev.ICMP.Type), record.Ptr(ev.ICMP.Code)
		r.Message, r.MTU = errorText(&ev.ICMP), ev.ICMP.MTU
	case echo.EventSendError:
		r.Type, r.Error = "send_error", ev.Err.Error()
		if tl := (*icmp.MessageTooLongError)(nil); errors.As(ev.Err, &tl) {
			r.Message, r.MTU = localErrorText(ev.Dst, tl.MTU), tl.MTU
		}
	default:
		return
	}
	if ev.TTL >= 0 && r.From != "" {
		r.TTL = record.Ptr(ev.TTL)
	}
	j.mu.Lock()
	j.enc.Encode(r) //nolint:errcheck // a write error surfaces at Flush
	j.mu.Unlock()
}

func statsJSON(target string, s echo.Stats) jsonStats {
	js := jsonStats{Target: target, Transmitted: s.Transmitted, Received: s.Received,
		Duplicates: s.Duplicates, Errors: s.Errors, Lost: s.Lost, LossPercent: s.Loss() * 100}
	if s.RTTs() {
		js.RTTMinMs, js.RTTAvgMs = record.Ptr(record.Ms(s.Min())), record.Ptr(record.Ms(s.Avg()))
		js.RTTMaxMs, js.RTTMdevMs = record.Ptr(record.Ms(s.Max())), record.Ptr(record.Ms(s.MDev()))
	}
	return js
}

func (j *jsonOut) summary(e *echo.Engine, mode echo.Mode, elapsed time.Duration, rate float64) (alive int) {
	sum := jsonSummary{Type: "summary", Schema: record.Schema, Mode: mode.String(),
		jsonStats: statsJSON("", e.Stats()), ElapsedMs: record.Ms(elapsed), RatePPS: rate,
		Targets: make([]jsonStats, len(j.targets))}
	for i, t := range j.targets {
		s := e.TargetStats(i)
		if s.Received > 0 {
			alive++
		}
		sum.Targets[i] = statsJSON(t.addr.String(), s)
	}
	sum.Alive, sum.Unreachable = alive, len(j.targets)-alive
	j.mu.Lock()
	j.enc.Encode(sum) //nolint:errcheck // a write error surfaces at Flush
	j.w.Flush()
	j.mu.Unlock()
	return alive
}
