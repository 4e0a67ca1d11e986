package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/google/gopacket"
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

// PcapngWriter writes a pcapng file with one interface whose time stamps
// have nanosecond resolution (if_tsresol 9). Writes are buffered: call
// Flush before closing the underlying writer.
type PcapngWriter struct {
	w   *bufio.Writer
	hdr [28]byte
}

// PcapngInterface describes the one interface of a PcapngWriter.
type PcapngInterface struct {
	Link    LinkType
	SnapLen int    // 0 means DefaultSnapLen
	Name    string // if_name, e.g. "eth0"; empty to leave it out
	Filter  string // if_filter, the capture filter expression; empty to leave it out
}

// NewPcapngWriter writes the section header and the interface block.
func NewPcapngWriter(w io.Writer, intf PcapngInterface) (*PcapngWriter, error) {
	if intf.SnapLen <= 0 {
		intf.SnapLen = DefaultSnapLen
	}
	nw := &PcapngWriter{w: bufio.NewWriterSize(w, 256<<10)}
	le := binary.LittleEndian
	shb := make([]byte, 28)
	le.PutUint32(shb[0:], ngBlockSHB)
	le.PutUint32(shb[4:], 28)
	le.PutUint32(shb[8:], ngBOM)
	le.PutUint16(shb[12:], 1) // version 1.0
	le.PutUint64(shb[16:], ^uint64(0))
	le.PutUint32(shb[24:], 28)

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

	if _, err := nw.w.Write(append(shb, idb...)); err != nil {
		return nil, fmt.Errorf("capture: writing pcapng header: %w", err)
	}
	return nw, nil
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

// WritePacket appends an enhanced packet block.
func (nw *PcapngWriter) WritePacket(ci gopacket.CaptureInfo, data []byte) error {
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
	le.PutUint32(nw.hdr[8:], 0) // interface 0
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

// ngState is a pcapng Reader's view of the current section.
type ngState struct {
	order  binary.ByteOrder
	ifaces []ngIface
}

type ngIface struct {
	link    LinkType
	snapLen int
	pow2    bool  // resolution 2^-res instead of 10^-res
	res     uint8 // digits (or bits) of sub-second resolution; default 6
	offset  int64 // if_tsoffset, seconds
}

func (rd *Reader) initNg() error {
	rd.ng = &ngState{order: binary.LittleEndian}
	// Read up to the first packet so that LinkType is known.
	for len(rd.ng.ifaces) == 0 {
		typ, body, err := rd.block()
		if err == io.EOF {
			return rd.fail("pcapng header", err) // a file must declare an interface
		}
		if err != nil {
			return err
		}
		if typ == ngBlockPB || typ == ngBlockSPB || typ == ngBlockEPB {
			return fmt.Errorf("capture: pcapng packet before any interface: %w", ErrCorrupt)
		}
		if err := rd.ngMeta(typ, body); err != nil {
			return err
		}
	}
	rd.link, rd.snapLen = rd.ng.ifaces[0].link, rd.ng.ifaces[0].snapLen
	return nil
}

// LinkTypeOf is the link type of interface i of a pcapng file (all
// packets of a pcap file have LinkType).
func (rd *Reader) LinkTypeOf(i int) LinkType {
	if rd.ng == nil || i < 0 || i >= len(rd.ng.ifaces) {
		return rd.link
	}
	return rd.ng.ifaces[i].link
}

// block reads one whole block: its type and body (without the type and
// the two length fields). A section header switches the byte order.
func (rd *Reader) block() (uint32, []byte, error) {
	h, err := rd.r.Peek(12)
	if err != nil {
		if len(h) == 0 && err == io.EOF {
			return 0, nil, io.EOF
		}
		return 0, nil, rd.fail("pcapng block", err)
	}
	typ := rd.ng.order.Uint32(h)
	if typ == ngBlockSHB {
		switch binary.LittleEndian.Uint32(h[8:]) {
		case ngBOM:
			rd.ng.order = binary.LittleEndian
		case 0x4d3c2b1a:
			rd.ng.order = binary.BigEndian
		default:
			return 0, nil, fmt.Errorf("capture: pcapng section header with bad byte-order mark: %w", ErrCorrupt)
		}
	}
	n := rd.ng.order.Uint32(h[4:])
	if n < 12 || n%4 != 0 || n > maxCaptureLen {
		return 0, nil, fmt.Errorf("capture: pcapng block of type %#x after %d packets has bad length %d: %w", typ, rd.n, n, ErrCorrupt)
	}
	b, err := rd.bytes(int(n))
	if err != nil {
		return 0, nil, rd.fail("pcapng block", err)
	}
	if rd.ng.order.Uint32(b[n-4:]) != n {
		return 0, nil, fmt.Errorf("capture: pcapng block lengths disagree after %d packets: %w", rd.n, ErrCorrupt)
	}
	return typ, b[8 : n-4], nil
}

// ngMeta handles the non-packet blocks that matter; others are skipped.
func (rd *Reader) ngMeta(typ uint32, body []byte) error {
	o := rd.ng.order
	switch typ {
	case ngBlockSHB:
		if len(body) < 16 || o.Uint16(body[4:]) != 1 {
			return fmt.Errorf("capture: pcapng section header not version 1: %w", ErrCorrupt)
		}
		rd.ng.ifaces = rd.ng.ifaces[:0]
	case ngBlockIDB:
		if len(body) < 8 {
			return fmt.Errorf("capture: short pcapng interface block: %w", ErrCorrupt)
		}
		ifc := ngIface{link: LinkType(o.Uint16(body)), snapLen: int(o.Uint32(body[4:])), res: 6}
		for opts := body[8:]; len(opts) >= 4; {
			code, l := o.Uint16(opts), int(o.Uint16(opts[2:]))
			if code == ngOptEnd || 4+l > len(opts) {
				break
			}
			v := opts[4 : 4+l]
			switch {
			case code == ngOptTsresol && l == 1:
				ifc.pow2, ifc.res = v[0]&0x80 != 0, v[0]&0x7f
			case code == ngOptTsoffset && l == 8:
				ifc.offset = int64(o.Uint64(v))
			}
			opts = opts[4+(l+3)&^3:]
		}
		if (!ifc.pow2 && ifc.res > 19) || (ifc.pow2 && ifc.res > 63) {
			return fmt.Errorf("capture: pcapng time stamp resolution %d: %w", ifc.res, ErrCorrupt)
		}
		rd.ng.ifaces = append(rd.ng.ifaces, ifc)
	}
	return nil
}

// readNg returns the next packet of a pcapng file.
func (rd *Reader) readNg() ([]byte, gopacket.CaptureInfo, error) {
	o := rd.ng.order
	for {
		typ, body, err := rd.block()
		if err != nil {
			return nil, gopacket.CaptureInfo{}, err
		}
		var ci gopacket.CaptureInfo
		var data []byte
		switch typ {
		case ngBlockEPB, ngBlockPB:
			if len(body) < 20 {
				return nil, ci, fmt.Errorf("capture: short pcapng packet block after %d packets: %w", rd.n, ErrCorrupt)
			}
			id := int(o.Uint32(body))
			if typ == ngBlockPB {
				id = int(o.Uint16(body))
			}
			if id >= len(rd.ng.ifaces) {
				return nil, ci, fmt.Errorf("capture: pcapng packet %d on undeclared interface %d: %w", rd.n+1, id, ErrCorrupt)
			}
			caplen := int(o.Uint32(body[12:]))
			if caplen > len(body)-20 {
				return nil, ci, fmt.Errorf("capture: pcapng packet %d longer than its block: %w", rd.n+1, ErrCorrupt)
			}
			ci.InterfaceIndex = id
			ci.Timestamp = rd.ng.ifaces[id].time(uint64(o.Uint32(body[4:]))<<32 | uint64(o.Uint32(body[8:])))
			ci.Length = int(o.Uint32(body[16:]))
			data = body[20 : 20+caplen]
		case ngBlockSPB:
			if len(body) < 4 || len(rd.ng.ifaces) == 0 {
				return nil, ci, fmt.Errorf("capture: bad pcapng simple packet block: %w", ErrCorrupt)
			}
			ci.Length = int(o.Uint32(body))
			data = body[4:]
			if len(data) > ci.Length {
				data = data[:ci.Length]
			}
		default:
			if err := rd.ngMeta(typ, body); err != nil {
				return nil, ci, err
			}
			continue
		}
		ci.CaptureLength = len(data)
		if ci.Length < ci.CaptureLength {
			ci.Length = ci.CaptureLength
		}
		rd.n++
		return data, ci, nil
	}
}

// time converts a pcapng time stamp in the interface's units.
func (ifc ngIface) time(ts uint64) time.Time {
	var sec, nsec uint64
	if ifc.pow2 {
		sec = ts >> ifc.res
		if ifc.res > 0 {
			hi, lo := bits.Mul64(ts&(1<<ifc.res-1), 1e9)
			nsec = hi<<(64-ifc.res) | lo>>ifc.res
		}
	} else {
		unit := uint64(1)
		for i := uint8(0); i < ifc.res; i++ {
			unit *= 10
		}
		sec, nsec = ts/unit, ts%unit
		switch {
		case ifc.res < 9:
			for i := ifc.res; i < 9; i++ {
				nsec *= 10
			}
		case ifc.res > 9:
			for i := ifc.res; i > 9; i-- {
				nsec /= 10
			}
		}
	}
	return time.Unix(int64(sec)+ifc.offset, int64(nsec))
}
