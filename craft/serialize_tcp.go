package craft

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/rawkit/rawkit/internal/checksum"
)

// tcpOptionsLen returns the length of the options before padding.
func tcpOptionsLen(opts []layers.TCPOption) (int, error) {
	n := 0
	for i, o := range opts {
		switch o.OptionType {
		case layers.TCPOptionKindEndList, layers.TCPOptionKindNop: // one byte (RFC 9293)
			if len(o.OptionData) != 0 {
				return 0, fmt.Errorf("craft: TCP option %d (kind %d) is one byte and carries no data, got %d bytes", i, o.OptionType, len(o.OptionData))
			}
			n++
		default:
			if len(o.OptionData) > 38 {
				return 0, fmt.Errorf("craft: TCP option %d (kind %d) has %d data bytes, more than 38", i, o.OptionType, len(o.OptionData))
			}
			n += 2 + len(o.OptionData)
		}
	}
	return n, nil
}

func putTCP(buf gopacket.SerializeBuffer, t *layers.TCP, keep Field, nc netCtx) error {
	if t == nil {
		return errors.New("craft: nil TCP layer")
	}
	optLen, err := tcpOptionsLen(t.Options)
	if err != nil {
		return err
	}
	// Options are padded with zeros to a 32-bit boundary; with the data
	// offset kept, non-empty Padding is written instead, byte for byte, so
	// a decoded segment rebuilds exactly.
	padLen := (4 - optLen%4) % 4
	literalPad := keep&TCPDataOffset != 0 && len(t.Padding) > 0
	if literalPad {
		padLen = len(t.Padding)
	}
	if keep&TCPDataOffset != 0 && t.DataOffset > 15 {
		return fmt.Errorf("craft: TCP data offset %d out of range 0-15", t.DataOffset)
	}
	hlen := 20 + optLen + padLen
	if hlen > 60 {
		return fmt.Errorf("craft: TCP options take %d bytes, more than 40", optLen+padLen)
	}
	if keep&TCPDataOffset == 0 {
		t.DataOffset = uint8(hlen / 4)
	}
	n := hlen + len(buf.Bytes())
	if n > maxIPv4Len {
		return fmt.Errorf("craft: TCP segment of %d bytes is longer than %d", n, maxIPv4Len)
	}
	var ps uint64
	if keep&TCPChecksum == 0 {
		if ps, err = nc.pseudoSum(uint8(layers.IPProtocolTCP), n, "TCP"); err != nil {
			return err
		}
	}
	b, err := buf.PrependBytes(hlen)
	if err != nil {
		return err
	}
	binary.BigEndian.PutUint16(b[0:], uint16(t.SrcPort))
	binary.BigEndian.PutUint16(b[2:], uint16(t.DstPort))
	binary.BigEndian.PutUint32(b[4:], t.Seq)
	binary.BigEndian.PutUint32(b[8:], t.Ack)
	binary.BigEndian.PutUint16(b[12:], tcpFlags(t))
	binary.BigEndian.PutUint16(b[14:], t.Window)
	b[16], b[17] = 0, 0
	binary.BigEndian.PutUint16(b[18:], t.Urgent)
	i := 20
	for k := range t.Options {
		o := &t.Options[k]
		b[i] = byte(o.OptionType)
		if o.OptionType <= layers.TCPOptionKindNop {
			o.OptionLength = 1
			i++
			continue
		}
		if keep&TCPOptionLengths == 0 {
			o.OptionLength = uint8(2 + len(o.OptionData))
		}
		b[i+1] = o.OptionLength
		i += 2 + copy(b[i+2:], o.OptionData)
	}
	if literalPad {
		copy(b[i:], t.Padding)
	} else {
		clear(b[i:])
	}
	if keep&TCPChecksum == 0 {
		t.Checksum = ^checksum.Fold(checksum.Sum(buf.Bytes(), ps))
	}
	binary.BigEndian.PutUint16(b[16:], t.Checksum)
	return nil
}

// tcpFlags returns the 16 bits holding the data offset, NS and the eight
// flags (RFC 3540, RFC 9293).
func tcpFlags(t *layers.TCP) uint16 {
	f := uint16(t.DataOffset) << 12
	for _, x := range [...]struct {
		set bool
		bit uint16
	}{
		{t.FIN, 0x001}, {t.SYN, 0x002}, {t.RST, 0x004}, {t.PSH, 0x008},
		{t.ACK, 0x010}, {t.URG, 0x020}, {t.ECE, 0x040}, {t.CWR, 0x080}, {t.NS, 0x100},
	} {
		if x.set {
			f |= x.bit
		}
	}
	return f
}
