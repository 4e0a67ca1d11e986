package capture

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
)

// FuzzWriteRead: what the pcap and pcapng writers write, the reader reads
// back unchanged: every packet's bytes, time stamp (to the nanosecond),
// captured and original lengths, and the link type, then io.EOF.
func FuzzWriteRead(f *testing.F) {
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06"), []byte{3, 0, 4}, uint32(1700000000), uint32(123456789), uint16(0), uint16(1), false)
	f.Add([]byte("abcdefgh"), []byte{1}, uint32(0), uint32(999999999), uint16(1500), uint16(101), true)
	f.Fuzz(func(t *testing.T, data, sizes []byte, sec, nsec uint32, extra, link uint16, ng bool) {
		// Cut data into packets of the sizes given (the rest in one).
		var pkts [][]byte
		for _, n := range sizes {
			n := min(int(n), len(data))
			pkts = append(pkts, data[:n])
			data = data[n:]
		}
		pkts = append(pkts, data)
		lt := LinkType(link)
		var buf bytes.Buffer
		var w PacketWriter
		var err error
		if ng {
			w, err = NewPcapngWriter(&buf, PcapngInterface{Link: lt})
		} else {
			w, err = NewPcapWriter(&buf, lt, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		ts := time.Unix(int64(sec), int64(nsec%1e9))
		for i, p := range pkts {
			ci := gopacket.CaptureInfo{Timestamp: ts.Add(time.Duration(i)), CaptureLength: len(p), Length: len(p) + int(extra)}
			if err := w.WritePacket(ci, p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		rd, err := NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("reading back (ng %v): %v", ng, err)
		}
		if rd.LinkType() != lt {
			t.Errorf("link type %d, wrote %d", rd.LinkType(), lt)
		}
		for i, p := range pkts {
			got, ci, err := rd.ReadPacket()
			if err != nil {
				t.Fatalf("packet %d of %d: %v", i+1, len(pkts), err)
			}
			want := ts.Add(time.Duration(i))
			if !bytes.Equal(got, p) || !ci.Timestamp.Equal(want) || ci.CaptureLength != len(p) || ci.Length != len(p)+int(extra) {
				t.Fatalf("packet %d: read %x at %v, %d of %d bytes; wrote %x at %v, %d of %d",
					i+1, got, ci.Timestamp, ci.CaptureLength, ci.Length, p, want, len(p), len(p)+int(extra))
			}
		}
		if _, _, err := rd.ReadPacket(); !errors.Is(err, io.EOF) {
			t.Errorf("after the last packet: %v, want io.EOF", err)
		}
	})
}
