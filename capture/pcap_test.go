package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/rawkit/rawkit/capture/filter"
	"github.com/rawkit/rawkit/capture/internal/corpus"
)

type fileFormat struct {
	name  string
	write func(w io.Writer) (PacketWriter, error)
}

var formats = []fileFormat{
	{"pcap", func(w io.Writer) (PacketWriter, error) { return NewPcapWriter(w, LinkEthernet, 0) }},
	{"pcapng", func(w io.Writer) (PacketWriter, error) {
		return NewPcapngWriter(w, PcapngInterface{Link: LinkEthernet, Name: "eth0", Filter: "ip"})
	}},
}

// writeFile writes the corpus with nanosecond time stamps; packet 2 is
// truncated to 40 bytes of its length.
func writeFile(t *testing.T, f fileFormat, pkts []corpus.Packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := f.write(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		data := p.Data
		if i == 2 {
			data = data[:40]
		}
		ci := gopacket.CaptureInfo{Timestamp: corpus.Time(i).Add(time.Duration(i) * 789), CaptureLength: len(data), Length: len(p.Data)}
		if err := w.WritePacket(ci, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileRoundTrip(t *testing.T) {
	pkts := corpus.Build(t)
	for _, f := range formats {
		file := writeFile(t, f, pkts)
		rd, err := NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if rd.LinkType() != LinkEthernet || rd.SnapLen() != DefaultSnapLen {
			t.Errorf("%s: link %v snap %d", f.name, rd.LinkType(), rd.SnapLen())
		}
		for i, p := range pkts {
			data, ci, err := rd.ReadPacket()
			if err != nil {
				t.Fatalf("%s: packet %d: %v", f.name, i, err)
			}
			want := p.Data
			if i == 2 {
				want = want[:40]
			}
			wantTS := corpus.Time(i).Add(time.Duration(i) * 789)
			if !bytes.Equal(data, want) || ci.CaptureLength != len(want) || ci.Length != len(p.Data) || !ci.Timestamp.Equal(wantTS) {
				t.Errorf("%s: packet %d: got %d/%d bytes at %v, want %d/%d at %v", f.name, i,
					ci.CaptureLength, ci.Length, ci.Timestamp, len(want), len(p.Data), wantTS)
			}
		}
		if _, _, err := rd.ReadPacket(); err != io.EOF {
			t.Errorf("%s: after the last packet: %v, want io.EOF", f.name, err)
		}
	}
}

// TestTruncatedFile: a file cut anywhere yields every packet before the
// cut, then an error wrapping io.ErrUnexpectedEOF (or io.EOF exactly at a
// packet boundary).
func TestTruncatedFile(t *testing.T) {
	pkts := corpus.Build(t)[:6]
	for _, f := range formats {
		file := writeFile(t, f, pkts)
		for cut := 0; cut < len(file); cut++ {
			rd, err := NewReader(bytes.NewReader(file[:cut]))
			if err != nil {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("%s cut at %d: open: %v", f.name, cut, err)
				}
				continue
			}
			n := 0
			for {
				_, _, err = rd.ReadPacket()
				if err != nil {
					break
				}
				n++
			}
			if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut at %d: %v", f.name, cut, err)
			}
			if err == io.EOF && n < len(pkts) && cut == len(file) {
				t.Fatalf("%s: whole file gave %d packets", f.name, n)
			}
		}
	}
}

func TestCorruptFile(t *testing.T) {
	pkts := corpus.Build(t)[:3]
	pcap := writeFile(t, formats[0], pkts)
	bad := append([]byte(nil), pcap...)
	binary.LittleEndian.PutUint32(bad[24+8:], 0x7fffffff) // first record's caplen
	ng := writeFile(t, formats[1], pkts)
	badNg := append([]byte(nil), ng...)
	// The first EPB follows the 28-byte SHB and the IDB; corrupt its trailing length.
	idbLen := int(binary.LittleEndian.Uint32(ng[28+4:]))
	epb := 28 + idbLen
	epbLen := int(binary.LittleEndian.Uint32(ng[epb+4:]))
	binary.LittleEndian.PutUint32(badNg[epb+epbLen-4:], 12345)
	for name, file := range map[string][]byte{
		"pcap caplen":      bad,
		"pcapng trailer":   badNg,
		"not a pcap":       []byte("hello, this is not a capture file"),
		"pcap version 3":   append([]byte{0xd4, 0xc3, 0xb2, 0xa1, 3, 0}, pcap[6:]...),
		"pcapng bad order": append(append([]byte(nil), ng[:8]...), append([]byte{1, 2, 3, 4}, ng[12:]...)...),
	} {
		rd, err := NewReader(bytes.NewReader(file))
		for err == nil {
			_, _, err = rd.ReadPacket()
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
}

// TestReadForeignFormats reads hand-made files in the variants other
// tools write: big-endian microsecond pcap, pcapng with microsecond and
// binary time stamp resolutions.
func TestReadForeignFormats(t *testing.T) {
	be := binary.BigEndian
	pcap := make([]byte, 24+16+4)
	be.PutUint32(pcap[0:], pcapMagicMicro)
	be.PutUint16(pcap[4:], 2)
	be.PutUint16(pcap[6:], 4)
	be.PutUint32(pcap[16:], 65535)
	be.PutUint32(pcap[20:], uint32(LinkRaw))
	be.PutUint32(pcap[24:], 1700000000)
	be.PutUint32(pcap[28:], 654321)
	be.PutUint32(pcap[32:], 4)
	be.PutUint32(pcap[36:], 60)
	copy(pcap[40:], "\x45\x00\x00\x3c")
	rd, err := NewReader(bytes.NewReader(pcap))
	if err != nil {
		t.Fatal(err)
	}
	data, ci, err := rd.ReadPacket()
	if err != nil || rd.LinkType() != LinkRaw || len(data) != 4 || ci.Length != 60 ||
		!ci.Timestamp.Equal(time.Unix(1700000000, 654321000)) {
		t.Errorf("big-endian pcap: %v %v %x %+v", err, rd.LinkType(), data, ci)
	}

	for _, tc := range []struct {
		tsresol byte
		ticks   uint64
		want    time.Time
	}{
		{6, 1700000000_123456, time.Unix(1700000000, 123456000)},
		{0x80 | 10, 1700000000<<10 | 512, time.Unix(1700000000, 500000000)},
		{10, 1700000000_1234567891, time.Unix(1700000000, 123456789)},
	} {
		ng := ngFile(tc.tsresol, tc.ticks)
		rd, err := NewReader(bytes.NewReader(ng))
		if err != nil {
			t.Fatal(err)
		}
		_, ci, err := rd.ReadPacket()
		if err != nil || !ci.Timestamp.Equal(tc.want) {
			t.Errorf("pcapng tsresol %#x: %v at %v, want %v", tc.tsresol, err, ci.Timestamp, tc.want)
		}
	}
}

// ngFile is a big-endian pcapng file with one interface of the given
// time stamp resolution and one packet.
func ngFile(tsresol byte, ticks uint64) []byte {
	be := binary.BigEndian
	var b []byte
	b = be.AppendUint32(b, ngBlockSHB)
	b = be.AppendUint32(b, 28)
	b = be.AppendUint32(b, ngBOM)
	b = be.AppendUint16(b, 1)
	b = be.AppendUint16(b, 0)
	b = be.AppendUint64(b, ^uint64(0))
	b = be.AppendUint32(b, 28)
	b = be.AppendUint32(b, ngBlockIDB)
	b = be.AppendUint32(b, 32)
	b = be.AppendUint16(b, uint16(LinkRaw))
	b = be.AppendUint16(b, 0)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint16(b, ngOptTsresol)
	b = be.AppendUint16(b, 1)
	b = append(b, tsresol, 0, 0, 0)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, 32)
	b = be.AppendUint32(b, ngBlockEPB)
	b = be.AppendUint32(b, 36)
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, uint32(ticks>>32))
	b = be.AppendUint32(b, uint32(ticks))
	b = be.AppendUint32(b, 4)
	b = be.AppendUint32(b, 4)
	b = append(b, 0x45, 0, 0, 4)
	return be.AppendUint32(b, 36)
}

func FuzzReader(f *testing.F) {
	pkts := corpus.Build(f)[:4]
	for _, ff := range formats {
		var buf bytes.Buffer
		w, _ := ff.write(&buf)
		for i, p := range pkts {
			_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: corpus.Time(i), CaptureLength: len(p.Data), Length: len(p.Data)}, p.Data)
		}
		_ = w.Flush()
		f.Add(buf.Bytes())
	}
	f.Add(ngFile(6, 1))
	f.Fuzz(func(t *testing.T, file []byte) {
		rd, err := NewReader(bytes.NewReader(file))
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			data, ci, err := rd.ReadPacket()
			if err != nil {
				return
			}
			if len(data) != ci.CaptureLength || ci.CaptureLength > ci.Length {
				t.Fatalf("inconsistent packet: %d bytes, %+v", len(data), ci)
			}
		}
	})
}

func BenchmarkReadFilter(b *testing.B) {
	pkts := corpus.Build(b)
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf, LinkEthernet, 0)
	for i := 0; i < 10000; i++ {
		p := pkts[i%len(pkts)]
		_ = w.WritePacket(gopacket.CaptureInfo{Timestamp: corpus.Time(i), CaptureLength: len(p.Data), Length: len(p.Data)}, p.Data)
	}
	_ = w.Flush()
	flt, err := filter.New("tcp[tcpflags] & tcp-syn != 0 or icmp", LinkEthernet)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		rd, _ := NewReader(bytes.NewReader(buf.Bytes()))
		for {
			data, ci, err := rd.ReadPacket()
			if err != nil {
				break
			}
			if flt.Match(data, ci.Length) {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "pkts/s")
}

// TestPcapngInterfaces: packets written on a second interface are read
// back under its link type; an interface never added is an error.
func TestPcapngInterfaces(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapngWriter(&buf, PcapngInterface{Link: LinkEthernet})
	if err != nil {
		t.Fatal(err)
	}
	id, err := w.AddInterface(PcapngInterface{Link: LinkRaw, SnapLen: 100})
	if err != nil || id != 1 {
		t.Fatalf("AddInterface: %d, %v", id, err)
	}
	d := []byte{0x45, 0, 0, 20}
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: len(d), Length: len(d)}
	if err := w.WritePacketOn(2, ci, d); err == nil {
		t.Error("a packet on interface 2 of 2 was written")
	}
	if err := w.WritePacketOn(1, ci, d); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rd, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, rci, err := rd.ReadPacket()
	if err != nil || !bytes.Equal(got, d) || rd.LinkTypeOf(rci.InterfaceIndex) != LinkRaw {
		t.Errorf("%x on %v, %v; want %x on RAW", got, rd.LinkTypeOf(rci.InterfaceIndex), err, d)
	}
}
