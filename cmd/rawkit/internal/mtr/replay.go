package mtr

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/icmp/trace"
)

// replayed is one target of a recording, rebuilt.
type replayed struct {
	start event
	stats *trace.MonitorStats
	names map[netip.Addr]string
	sum   *jsonDoc
}

// replay prints the reports of a recording, rebuilt from its probes by
// the same statistics the live run kept: no probe is sent.
func (env *Env) replay(ctx context.Context, sio *cli.Stdio, o *opts) int {
	f, err := env.Open(o.replay)
	if err != nil {
		return cli.Failf(sio, "mtr", "--replay: %v", err)
	}
	defer f.Close()
	w := bufio.NewWriter(sio.Out)
	defer w.Flush()
	var raw func(target int) func(trace.MonitorProbe)
	if o.mode == modeRaw {
		// -l is a stream: the recording's probes, in their order.
		raws := map[int]*rawWriter{}
		raw = func(target int) func(trace.MonitorProbe) {
			if raws[target] == nil {
				raws[target] = newRawWriter(w, o, nil)
			}
			return raws[target].probe
		}
	}
	// The whole recording is checked before anything is printed; -l then
	// reads it again, printing its probes.
	targets, err := readRecording(f, nil)
	if err == nil && raw != nil {
		if _, err = f.Seek(0, io.SeekStart); err == nil {
			targets, err = readRecording(f, raw)
		}
	}
	if err != nil {
		return cli.Failf(sio, "mtr", "--replay %s: %v", o.replay, err)
	}
	if o.mode == modeDefault && env.IsTerminal(sio) {
		return env.replayScreen(ctx, sio, o, targets)
	}
	code := cli.ExitOK
	for _, t := range targets {
		snap := t.snapshot()
		if !snap.Reached {
			code = cli.ExitNoReply
		}
		ro := *o
		ro.cfg.TOS, ro.cfg.Length = *t.start.TOS, t.start.PSize
		if t.start.Count != nil {
			ro.cfg.Count = *t.start.Count
		}
		rep := &report{o: &ro, target: t.start.Host, snap: snap, names: t.names, localHost: t.start.LocalHost,
			psize: t.start.PSize}
		writeReport(w, rep, o.mode, t.start.Mode)
	}
	return code
}

// readRecording reads a --record file: a start record of this schema
// for each target, its probes and rounds, its summary, and the end
// record; anything else is an error naming the line.
// raw, when not nil, gives each target's probes to a -l stream as they
// are read.
func readRecording(f io.Reader, raw func(target int) func(trace.MonitorProbe)) ([]*replayed, error) {
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var targets []*replayed
	line := 0
	ended := false
	for sc.Scan() {
		line++
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("line %d is not a record (truncated or corrupt): %v", line, err)
		}
		if line == 1 && (e.Type != "start" || e.Schema != streamSchema) {
			return nil, fmt.Errorf("schema version %d, want %d (first record %q)", e.Schema, streamSchema, e.Type)
		}
		if ended {
			return nil, fmt.Errorf("line %d follows the end record", line)
		}
		if err := apply(&targets, &e, raw); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		ended = e.Type == "end"
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, errors.New("empty recording")
	}
	if !ended {
		return nil, fmt.Errorf("truncated after line %d: no end record", line)
	}
	return targets, nil
}

// apply feeds one record to the targets being rebuilt.
func apply(targets *[]*replayed, e *event, raw func(int) func(trace.MonitorProbe)) error {
	if e.Type == "start" {
		if e.Schema != streamSchema {
			return fmt.Errorf("schema version %d, want %d", e.Schema, streamSchema)
		}
		if e.Target != len(*targets) || e.TOS == nil {
			return fmt.Errorf("start record of target %d out of order", e.Target)
		}
		dst, err := netip.ParseAddr(e.Dst)
		if err != nil {
			return fmt.Errorf("start record with dst %q", e.Dst)
		}
		if e.FirstTTL < 1 || e.MaxTTL > 255 || e.FirstTTL > e.MaxTTL || e.Flows < 1 || e.Flows > trace.MaxFlows {
			return fmt.Errorf("start record with ttls %d-%d and %d flows", e.FirstTTL, e.MaxTTL, e.Flows)
		}
		m := methodOf(e.Method)
		*targets = append(*targets, &replayed{start: *e, stats: trace.NewMonitorStats(trace.MonitorStatsConfig{
			Target: e.Host, Dst: dst, Method: m, FirstTTL: e.FirstTTL, MaxTTL: e.MaxTTL, Flows: e.Flows, TOS: *e.TOS})})
		return nil
	}
	if e.Type == "end" {
		return nil
	}
	if e.Target < 0 || e.Target >= len(*targets) {
		return fmt.Errorf("%s record of unknown target %d", e.Type, e.Target)
	}
	t := (*targets)[e.Target]
	switch e.Type {
	case "probe":
		p, err := e.toProbe()
		if err != nil {
			return err
		}
		t.stats.Add(p)
		if raw != nil {
			raw(e.Target)(p)
		}
	case "round":
		at, _ := time.Parse(time.RFC3339Nano, e.Time)
		t.stats.RoundDone(at)
	case "summary":
		t.sum = e.Summary
		t.names = map[netip.Addr]string{}
		for k, v := range e.Names {
			if a, err := netip.ParseAddr(k); err == nil {
				t.names[a] = v
			}
		}
	case "path_change":
	default:
		return fmt.Errorf("unknown record type %q", e.Type)
	}
	return nil
}

func methodOf(s string) trace.Method {
	switch s {
	case "udp":
		return trace.MethodUDP
	case "tcp":
		return trace.MethodTCP
	}
	return trace.MethodICMP
}
