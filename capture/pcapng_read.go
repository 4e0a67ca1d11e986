package capture

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/gopacket/gopacket"
)

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
