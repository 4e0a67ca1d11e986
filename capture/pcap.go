package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
)

// The classic pcap format (pcap-savefile(5)): a 24-byte file header, then
// per packet a 16-byte record header and the captured bytes.
const (
	pcapMagicMicro = 0xa1b2c3d4
	pcapMagicNano  = 0xa1b23c4d
	pcapHeaderLen  = 24
	pcapRecordLen  = 16

	// maxCaptureLen bounds a record's length when reading, so that a
	// corrupt length cannot make the reader allocate gigabytes. It is
	// well above any snap length libpcap or the kernel produce.
	maxCaptureLen = 16 << 20
)

// ErrCorrupt is wrapped by every error about a file that is not a valid
// pcap or pcapng file. A file that simply ends early gives an error
// wrapping io.ErrUnexpectedEOF instead.
var ErrCorrupt = errors.New("corrupt capture file")

// PacketWriter is what the pcap and pcapng writers have in common.
type PacketWriter interface {
	WritePacket(ci gopacket.CaptureInfo, data []byte) error
	Flush() error
}

// PcapWriter writes the nanosecond variant of the pcap format (magic
// 0xa1b23c4d), which tcpdump, tshark and libpcap read natively. Writes are
// buffered: call Flush before closing the underlying writer.
type PcapWriter struct {
	w   *bufio.Writer
	hdr [pcapRecordLen]byte
}

// NewPcapWriter writes the file header for packets of the given link
// type cut at snapLen bytes (0 means DefaultSnapLen).
func NewPcapWriter(w io.Writer, link LinkType, snapLen int) (*PcapWriter, error) {
	if snapLen <= 0 {
		snapLen = DefaultSnapLen
	}
	pw := &PcapWriter{w: bufio.NewWriterSize(w, 256<<10)}
	var h [pcapHeaderLen]byte
	binary.LittleEndian.PutUint32(h[0:], pcapMagicNano)
	binary.LittleEndian.PutUint16(h[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], uint32(snapLen))
	binary.LittleEndian.PutUint32(h[20:], uint32(link))
	if _, err := pw.w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("capture: writing pcap header: %w", err)
	}
	return pw, nil
}

// WritePacket appends one packet. ci.CaptureLength must equal len(data)
// and not exceed ci.Length.
func (pw *PcapWriter) WritePacket(ci gopacket.CaptureInfo, data []byte) error {
	if ci.CaptureLength != len(data) || ci.CaptureLength > ci.Length {
		return fmt.Errorf("capture: bad capture info: %d bytes captured of %d, data has %d",
			ci.CaptureLength, ci.Length, len(data))
	}
	t := ci.Timestamp
	binary.LittleEndian.PutUint32(pw.hdr[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(pw.hdr[4:], uint32(t.Nanosecond()))
	binary.LittleEndian.PutUint32(pw.hdr[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(pw.hdr[12:], uint32(ci.Length))
	if _, err := pw.w.Write(pw.hdr[:]); err != nil {
		return fmt.Errorf("capture: writing pcap: %w", err)
	}
	if _, err := pw.w.Write(data); err != nil {
		return fmt.Errorf("capture: writing pcap: %w", err)
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (pw *PcapWriter) Flush() error {
	if err := pw.w.Flush(); err != nil {
		return fmt.Errorf("capture: writing pcap: %w", err)
	}
	return nil
}

// Reader reads packets from a pcap (either byte order, microsecond or
// nanosecond) or pcapng file. The data a read returns is valid until the
// next read.
type Reader struct {
	r       *bufio.Reader
	link    LinkType
	snapLen int
	n       int // packets read so far, for error messages

	// pcap
	order binary.ByteOrder
	nanos bool

	// pcapng; nil for pcap
	ng *ngState

	buf []byte // for packets larger than the bufio buffer
}

// NewReader reads a file header and returns a Reader for the packets
// that follow. It recognises pcap and pcapng by their magic numbers.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{r: bufio.NewReaderSize(r, 1<<20)}
	magic, err := rd.r.Peek(4)
	if err != nil {
		return nil, rd.fail("file header", err)
	}
	switch {
	case binary.BigEndian.Uint32(magic) == ngBlockSHB:
		if err := rd.initNg(); err != nil {
			return nil, err
		}
		return rd, nil
	case binary.LittleEndian.Uint32(magic) == pcapMagicMicro || binary.LittleEndian.Uint32(magic) == pcapMagicNano:
		rd.order = binary.LittleEndian
	case binary.BigEndian.Uint32(magic) == pcapMagicMicro || binary.BigEndian.Uint32(magic) == pcapMagicNano:
		rd.order = binary.BigEndian
	default:
		return nil, fmt.Errorf("capture: not a pcap or pcapng file (magic %x): %w", magic, ErrCorrupt)
	}
	h, err := rd.r.Peek(pcapHeaderLen)
	if err != nil {
		return nil, rd.fail("file header", err)
	}
	rd.nanos = rd.order.Uint32(h[0:]) == pcapMagicNano
	if major := rd.order.Uint16(h[4:]); major != 2 {
		return nil, fmt.Errorf("capture: pcap version %d is not supported: %w", major, ErrCorrupt)
	}
	rd.snapLen = int(rd.order.Uint32(h[16:]))
	// The upper 4 bits of the link type field may carry FCS information.
	rd.link = LinkType(rd.order.Uint32(h[20:]) & 0x0fffffff)
	_, _ = rd.r.Discard(pcapHeaderLen)
	return rd, nil
}

// LinkType is the link type of the packets (of the first interface, for
// pcapng).
func (rd *Reader) LinkType() LinkType { return rd.link }

// SnapLen is the snap length the file declares.
func (rd *Reader) SnapLen() int { return rd.snapLen }

// fail turns a read error into the error the caller sees: a clean end of
// file is io.EOF; anything cut short is io.ErrUnexpectedEOF.
func (rd *Reader) fail(what string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("capture: %s truncated after %d packets: %w", what, rd.n, err)
}

// ReadPacket returns the next packet, or io.EOF at the end of the file.
func (rd *Reader) ReadPacket() ([]byte, gopacket.CaptureInfo, error) {
	if rd.ng != nil {
		return rd.readNg()
	}
	h, err := rd.r.Peek(pcapRecordLen)
	if err != nil {
		if len(h) == 0 && errors.Is(err, io.EOF) {
			return nil, gopacket.CaptureInfo{}, io.EOF
		}
		return nil, gopacket.CaptureInfo{}, rd.fail("packet header", err)
	}
	sec, frac := rd.order.Uint32(h[0:]), int64(rd.order.Uint32(h[4:]))
	caplen, wirelen := int(rd.order.Uint32(h[8:])), int(rd.order.Uint32(h[12:]))
	if !rd.nanos {
		frac *= 1000
	}
	// libpcap refuses records longer than the larger of the file's snap
	// length and 262144 (pcap_next_ex: "invalid packet capture length").
	// A fraction of a second out of range (a microsecond field of
	// 1,000,000 or more) it passes on unchecked, and tcpdump prints the
	// packet: so does this reader, the excess carried into the seconds.
	if limit := max(DefaultSnapLen, min(rd.snapLen, maxCaptureLen)); caplen > limit {
		return nil, gopacket.CaptureInfo{}, fmt.Errorf("capture: packet %d: bad record header (length %d): %w",
			rd.n+1, caplen, ErrCorrupt)
	}
	if wirelen < caplen {
		wirelen = caplen
	}
	_, _ = rd.r.Discard(pcapRecordLen)
	data, err := rd.bytes(caplen)
	if err != nil {
		return nil, gopacket.CaptureInfo{}, rd.fail("packet data", err)
	}
	rd.n++
	return data, gopacket.CaptureInfo{Timestamp: time.Unix(int64(sec), frac), CaptureLength: caplen, Length: wirelen}, nil
}

// bytes returns the next n bytes of the file without copying them when
// they fit in the read buffer.
func (rd *Reader) bytes(n int) ([]byte, error) {
	if n <= rd.r.Size() {
		b, err := rd.r.Peek(n)
		if err != nil {
			return nil, err
		}
		_, _ = rd.r.Discard(n)
		return b, nil
	}
	if cap(rd.buf) < n {
		rd.buf = make([]byte, n)
	}
	b := rd.buf[:n]
	_, err := io.ReadFull(rd.r, b)
	return b, err
}

// ReadPacketData implements gopacket.PacketDataSource; the data is a copy.
func (rd *Reader) ReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	d, ci, err := rd.ReadPacket()
	if err != nil {
		return nil, ci, err
	}
	return append([]byte(nil), d...), ci, nil
}
