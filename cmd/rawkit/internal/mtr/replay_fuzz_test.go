package mtr

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// FuzzRecording: any file given to --replay is read without a panic, and
// what reads as a recording prints in every report format.
func FuzzRecording(f *testing.F) {
	// Small seeds: the start record and a few probes of the diamond's
	// recording, a round and the end (the whole recording, 88 lines,
	// makes each new input slow to minimize).
	b, err := os.ReadFile("testdata/diamond.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	small := bytes.Join(lines[:6], nil)
	small = append(small, `{"type":"round","target":0,"round":1,"time":"2026-12-07T20:30:56.4Z"}
{"type":"end","target":0}
`...)
	f.Add(small)
	f.Add(bytes.Join(lines[:3], nil))
	f.Add([]byte(`{"type":"start","schema":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		targets, err := readRecording(bytes.NewReader(b), nil)
		if err != nil {
			return
		}
		for _, tg := range targets {
			o := &opts{fields: "LDRSNBAWVGJMXI", mpls: true}
			rep := &report{o: o, target: tg.start.Host, snap: tg.stats.Snapshot(), names: tg.names}
			for _, m := range []mode{modeReport, modeWide, modeMtrJSON, modeCSV, modeXML, modeJSON} {
				writeReport(io.Discard, rep, m, "raw")
			}
		}
	})
}
