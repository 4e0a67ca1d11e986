package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gopacket/gopacket"
)

// pcapng (draft-ietf-opsawg-pcapng): a file is a sequence of blocks, each
// "type, total length, body, total length", with 32-bit alignment.
const (
	ngBlockSHB = 0x0a0d0d0a // section header
	ngBlockIDB = 1          // interface description
	ngBlockPB  = 2          // obsolete packet block
	ngBlockSPB = 3          // simple packet
	ngBlockEPB = 6          // enhanced packet
	ngBOM      = 0x1a2b3c4d

	ngOptEnd      = 0
	ngOptName     = 2
	ngOptTsresol  = 9
	ngOptFilter   = 11
	ngOptTsoffset = 14
)

// PcapngWriter writes a pcapng file with one interface, or more
// (AddInterface), whose time stamps have nanosecond resolution
// (if_tsresol 9). Writes are buffered: call
// Flush before closing the underlying writer.
type PcapngWriter struct {
	w      *bufio.Writer
	hdr    [28]byte
	ifaces int // interface blocks written
}

// PcapngInterface describes an interface of a PcapngWriter.
type PcapngInterface struct {
	Link    LinkType
	SnapLen int    // 0 means DefaultSnapLen
	Name    string // if_name, e.g. "eth0"; empty to leave it out
	Filter  string // if_filter, the capture filter expression; empty to leave it out
}

// NewPcapngWriter writes the section header and the interface block.
func NewPcapngWriter(w io.Writer, intf PcapngInterface) (*PcapngWriter, error) {
	nw := &PcapngWriter{w: bufio.NewWriterSize(w, 256<<10)}
	le := binary.LittleEndian
	shb := make([]byte, 28)
	le.PutUint32(shb[0:], ngBlockSHB)
	le.PutUint32(shb[4:], 28)
	le.PutUint32(shb[8:], ngBOM)
	le.PutUint16(shb[12:], 1) // version 1.0
	le.PutUint64(shb[16:], ^uint64(0))
	le.PutUint32(shb[24:], 28)

	if _, err := nw.w.Write(shb); err != nil {
		return nil, fmt.Errorf("capture: writing pcapng header: %w", err)
	}
	if _, err := nw.AddInterface(intf); err != nil {
		return nil, err
	}
	return nw, nil
}

// AddInterface appends an interface description block and returns its
// number, for WritePacketOn: packets of another link type (a pcapng file
// read with several) each go under an interface of their own.
func (nw *PcapngWriter) AddInterface(intf PcapngInterface) (int, error) {
	if intf.SnapLen <= 0 {
		intf.SnapLen = DefaultSnapLen
	}
	le := binary.LittleEndian
	body := make([]byte, 8)
	le.PutUint16(body[0:], uint16(intf.Link))
	le.PutUint32(body[4:], uint32(intf.SnapLen))
	body = ngOption(body, ngOptName, []byte(intf.Name))
	if intf.Filter != "" {
		body = ngOption(body, ngOptFilter, append([]byte{0}, intf.Filter...)) // 0: libpcap syntax
	}
	body = ngOption(body, ngOptTsresol, []byte{9})
	body = append(body, 0, 0, 0, 0) // opt_endofopt
	idb := make([]byte, 8, 12+len(body))
	le.PutUint32(idb[0:], ngBlockIDB)
	le.PutUint32(idb[4:], uint32(12+len(body)))
	idb = append(idb, body...)
	idb = le.AppendUint32(idb, uint32(12+len(body)))

	if _, err := nw.w.Write(idb); err != nil {
		return 0, fmt.Errorf("capture: writing pcapng header: %w", err)
	}
	nw.ifaces++
	return nw.ifaces - 1, nil
}

func ngOption(b []byte, code uint16, val []byte) []byte {
	if len(val) == 0 {
		return b
	}
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

var zeros [4]byte

// WritePacket appends an enhanced packet block on interface 0.
func (nw *PcapngWriter) WritePacket(ci gopacket.CaptureInfo, data []byte) error {
	return nw.WritePacketOn(0, ci, data)
}

// WritePacketOn appends an enhanced packet block on interface iface, a
// number AddInterface returned (0 is NewPcapngWriter's).
func (nw *PcapngWriter) WritePacketOn(iface int, ci gopacket.CaptureInfo, data []byte) error {
	if iface < 0 || iface >= nw.ifaces {
		return fmt.Errorf("capture: no pcapng interface %d", iface)
	}
	if ci.CaptureLength != len(data) || ci.CaptureLength > ci.Length {
		return fmt.Errorf("capture: bad capture info: %d bytes captured of %d, data has %d",
			ci.CaptureLength, ci.Length, len(data))
	}
	le := binary.LittleEndian
	pad := (4 - len(data)%4) % 4
	total := uint32(32 + len(data) + pad)
	ts := uint64(ci.Timestamp.UnixNano())
	le.PutUint32(nw.hdr[0:], ngBlockEPB)
	le.PutUint32(nw.hdr[4:], total)
	le.PutUint32(nw.hdr[8:], uint32(iface))
	le.PutUint32(nw.hdr[12:], uint32(ts>>32))
	le.PutUint32(nw.hdr[16:], uint32(ts))
	le.PutUint32(nw.hdr[20:], uint32(len(data)))
	le.PutUint32(nw.hdr[24:], uint32(ci.Length))
	if _, err := nw.w.Write(nw.hdr[:28]); err != nil {
		return fmt.Errorf("capture: writing pcapng: %w", err)
	}
	if _, err := nw.w.Write(data); err != nil {
		return fmt.Errorf("capture: writing pcapng: %w", err)
	}
	le.PutUint32(nw.hdr[0:], total)
	if _, err := nw.w.Write(append(zeros[:pad:pad], nw.hdr[:4]...)); err != nil {
		return fmt.Errorf("capture: writing pcapng: %w", err)
	}
	return nil
}

// Flush writes any buffered data to the underlying writer.
func (nw *PcapngWriter) Flush() error {
	if err := nw.w.Flush(); err != nil {
		return fmt.Errorf("capture: writing pcapng: %w", err)
	}
	return nil
}
