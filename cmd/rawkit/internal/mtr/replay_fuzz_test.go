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
	for _, name := range []string{"testdata/diamond.jsonl", "testdata/truncated.jsonl", "testdata/schema2.jsonl"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
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
