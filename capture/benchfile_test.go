package capture

import (
	"bufio"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture/internal/corpus"
)

// TestWriteBenchFile writes the mixed-traffic pcap of one million packets
// that scripts/bench.d/30-capture.sh reads, when RAWKIT_BENCH_PCAP names
// the file to create. Without it there is nothing to do.
func TestWriteBenchFile(t *testing.T) {
	path := os.Getenv("RAWKIT_BENCH_PCAP")
	if path == "" {
		t.Skip("RAWKIT_BENCH_PCAP is not set")
	}
	pkts := corpus.Build(t)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w, err := NewPcapWriter(bw, LinkEthernet, 0)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	for i := 0; i < 1000000; i++ {
		p := pkts[i%len(pkts)].Data
		ci := gopacket.CaptureInfo{Timestamp: t0.Add(time.Duration(i) * 1237 * time.Nanosecond), CaptureLength: len(p), Length: len(p)}
		if err := w.WritePacket(ci, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
