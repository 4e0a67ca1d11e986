package capture_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture"
)

// The README's capture snippet: a live capture on eth0 (as root), written
// to a pcap file, and a file read back. Not run: it needs CAP_NET_RAW and
// an interface named eth0.
func Example() {
	ctx := context.Background()
	f, err := os.Create("icmp.pcap")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()

	c, err := capture.Listen("eth0", &capture.Config{Filter: "icmp", SnapLen: 256})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	data, ci, err := c.ReadPacket(ctx)                          // data points into the ring until the next read
	st, _ := c.Stats()                                          // st.Received, st.Dropped (PACKET_STATISTICS)
	w, _ := capture.NewPcapWriter(f, c.LinkType(), c.SnapLen()) // or NewPcapngWriter
	if err == nil {
		_ = w.WritePacket(ci, data)
	}
	_ = w.Flush()
	fmt.Println(st.Received, st.Dropped)

	if _, err := f.Seek(0, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	r, _ := capture.NewReader(f) // pcap or pcapng, any variant
	fmt.Println(r.LinkType())
}

func ExampleNewPcapWriter() {
	// An IPv4 header alone, as LINKTYPE_RAW.
	pkt := []byte{0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2}
	var file bytes.Buffer
	w, err := capture.NewPcapWriter(&file, capture.LinkRaw, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	ts := time.Unix(1700000000, 123456789)
	_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(pkt), Length: len(pkt)}, pkt)
	_ = w.Flush()

	r, err := capture.NewReader(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, ci, err := r.ReadPacket()
	fmt.Println(r.LinkType(), ci.Timestamp.UnixNano(), len(data), err)
	_, _, err = r.ReadPacket()
	fmt.Println(err)
	// Output:
	// RAW 1700000000123456789 20 <nil>
	// EOF
}

func ExampleNewPcapngWriter() {
	var file bytes.Buffer
	w, err := capture.NewPcapngWriter(&file, capture.PcapngInterface{Link: capture.LinkEthernet, Name: "eth0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := make([]byte, 60)
	_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: time.Unix(1, 5), CaptureLength: 60, Length: 60}, frame)
	_ = w.Flush()
	r, err := capture.NewReader(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, ci, err := r.ReadPacket()
	fmt.Println(r.LinkType(), ci.Timestamp.UnixNano(), ci.CaptureLength, err)
	// Output:
	// EN10MB 1000000005 60 <nil>
}
