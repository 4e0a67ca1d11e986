package craft

import "encoding/binary"

// tcpOptionNames are tcpdump's names by option kind.
var tcpOptionNames = [256]string{
	0: "eol", 1: "nop", 2: "mss", 3: "wscale", 4: "sackOK", 5: "sack", 6: "echo",
	7: "echoreply", 8: "TS", 11: "cc", 12: "ccnew", 19: "md5", 20: "scps",
	28: "uto", 29: "tcp-ao", 30: "mptcp", 34: "tfo", 254: "exp",
}

// tcpOptionName reports tcpdump's name for an option kind; ccecho (13) has
// an empty one in tcpdump 4.99.
func tcpOptionName(kind uint8) (string, bool) {
	name := tcpOptionNames[kind]
	return name, name != "" || kind == 13
}

// optReader walks TCP options as tcpdump's tcp_print does: left counts the
// option bytes the header length still covers, p holds what was captured.
type optReader struct {
	p    []byte
	cp   int
	left int
	// whole is set when the segment's data was captured in full, which
	// tcpdump needs before it tries an MD5 signature.
	whole bool
}

// has reports whether n more bytes are both covered and captured; bad is
// set when the header length does not cover them.
func (r *optReader) has(n int) (ok, bad bool) {
	if n > r.left {
		return false, true
	}
	return r.cp+n <= len(r.p), false
}

// appendTCPOptions prints ", options [...]". It returns false when the line
// ended early ("[bad opt]" or truncation), as tcpdump stops there too.
func appendTCPOptions(dst, p []byte, hlen int, whole bool) ([]byte, bool) {
	r := optReader{p: p, cp: 20, left: hlen - 20, whole: whole}
	dst = append(dst, ", options ["...)
	sep := false
	for r.left > 0 {
		if sep {
			dst = append(dst, ',')
		}
		if r.cp >= len(p) {
			return tcpOptTrunc(dst, sep), false
		}
		opt := p[r.cp]
		r.cp++
		ln := 1
		if opt > 1 {
			if r.cp >= len(p) {
				return tcpOptTrunc(dst, sep), false
			}
			ln = int(p[r.cp])
			r.cp++
			if ln < 2 || ln > r.left {
				return tcpOptBad(dst, sep), false
			}
			r.left--
		}
		r.left--
		if name, known := tcpOptionName(opt); known {
			dst = append(dst, name...)
		} else {
			dst = append(dst, "unknown-"...)
			dst = appendUint(dst, uint64(opt))
		}
		var datalen int
		var ok, bad bool
		dst, datalen, ok, bad = appendTCPOption(dst, &r, opt, ln)
		if bad {
			return tcpOptBad(dst, sep), false
		}
		if !ok {
			return tcpOptTrunc(dst, sep), false
		}
		r.cp += datalen
		r.left -= datalen
		want := datalen + 1
		if opt > 1 {
			want++
		}
		if want != ln {
			dst = append(dst, "[len "...)
			dst = appendUint(dst, uint64(ln))
			dst = append(dst, ']')
		}
		sep = true
		if opt == 0 {
			break
		}
	}
	return append(dst, ']'), true
}

func tcpOptBad(dst []byte, sep bool) []byte {
	dst = append(dst, "[bad opt]"...)
	if sep {
		dst = append(dst, ']')
	}
	return dst
}

func tcpOptTrunc(dst []byte, sep bool) []byte {
	dst = trunc(dst, "tcp")
	if sep {
		dst = append(dst, '>')
	}
	return dst
}

// appendTCPOption prints the data of one option and returns how many data
// bytes it took.
func appendTCPOption(dst []byte, r *optReader, opt uint8, ln int) (_ []byte, datalen int, ok, bad bool) {
	d := r.p[r.cp:]
	fixed := func(n int) bool {
		datalen = n
		ok, bad = r.has(n)
		return ok
	}
	switch opt {
	case 0, 1, 4: // eol, nop, sackOK
		return dst, 0, true, false
	case 2, 20, 28: // mss, scps, uto
		if fixed(2) {
			dst = appendTwoByteOption(dst, opt, d)
		}
	case 3: // wscale
		if fixed(1) {
			dst = append(dst, ' ')
			dst = appendUint(dst, uint64(d[0]))
		}
	case 5: // sack
		dst, datalen, ok, bad = appendSACK(dst, r, ln)
	case 6, 7, 11, 12, 13: // echo, echoreply, cc, ccnew, ccecho
		if fixed(4) {
			dst = append(dst, ' ')
			dst = appendUint(dst, uint64(binary.BigEndian.Uint32(d)))
		}
	case 8: // timestamps
		if fixed(8) {
			dst = append(dst, " val "...)
			dst = appendUint(dst, uint64(binary.BigEndian.Uint32(d)))
			dst = append(dst, " ecr "...)
			dst = appendUint(dst, uint64(binary.BigEndian.Uint32(d[4:])))
		}
	case 19: // MD5 signature (RFC 2385): tcpdump cannot check it without the secret
		if fixed(16) {
			if r.whole {
				dst = append(dst, " shared secret not supplied with -M, can't check - "...)
			} else {
				dst = append(dst, " snaplen too short, can't check - "...)
			}
			for _, c := range d[:16] {
				dst = appendHex(dst, uint64(c), 2)
			}
		}
	case 29: // TCP-AO (RFC 5925)
		dst, datalen, ok, bad = appendTCPAO(dst, r, ln)
	case 34, 254: // fast open, experimental
		if fixed(ln - 2) {
			dst, bad = appendFastOpenOption(dst, opt, d[:datalen])
			ok = !bad
		}
	default:
		datalen = ln - 2
		ok = true
		if datalen > 0 {
			dst = append(dst, " 0x"...)
		}
		for i := 0; i < datalen; i++ {
			if ok, bad = r.has(i + 1); !ok {
				break
			}
			dst = appendHex(dst, uint64(d[i]), 2)
		}
	}
	return dst, datalen, ok, bad
}

func appendTwoByteOption(dst []byte, opt uint8, d []byte) []byte {
	v := binary.BigEndian.Uint16(d)
	switch opt {
	case 2:
		dst = append(dst, ' ')
		return appendUint(dst, uint64(v))
	case 20:
		dst = append(dst, " cap "...)
		dst = appendHex(dst, uint64(d[0]), 2)
		dst = append(dst, " id "...)
		return appendUint(dst, uint64(d[1]))
	}
	dst = append(dst, " 0x"...)
	dst = appendHex(dst, uint64(v), 1)
	t := uint64(v) >> 1 // RFC 5482: seconds, or minutes when the low bit is set
	if v&1 != 0 {
		t *= 60
	}
	dst = append(dst, ' ')
	return appendUint(dst, t)
}

// appendFastOpenOption prints option 34 or an RFC 6994 experimental option
// (254), which carries fast open under magic 0xf989.
func appendFastOpenOption(dst []byte, opt uint8, d []byte) (_ []byte, bad bool) {
	if opt == 34 {
		return appendFastOpen(append(dst, ' '), d), false
	}
	if len(d) < 2 {
		return dst, true
	}
	dst = append(dst, '-')
	if magic := binary.BigEndian.Uint16(d); magic != 0xf989 {
		return appendHex(dst, uint64(magic), 4), false
	}
	return appendFastOpen(append(dst, "tfo"...), d[2:]), false
}

func appendSACK(dst []byte, r *optReader, ln int) (_ []byte, datalen int, ok, bad bool) {
	datalen = ln - 2
	if datalen%8 != 0 {
		return append(dst, " invalid sack"...), datalen, true, false
	}
	d := r.p[r.cp:]
	dst = append(dst, ' ')
	dst = appendUint(dst, uint64(datalen/8))
	dst = append(dst, ' ')
	for i := 0; i < datalen; i += 8 {
		if ok, bad = r.has(i + 8); !ok {
			return dst, datalen, false, bad
		}
		dst = append(dst, '{')
		dst = appendUint(dst, uint64(binary.BigEndian.Uint32(d[i:])))
		dst = append(dst, ':')
		dst = appendUint(dst, uint64(binary.BigEndian.Uint32(d[i+4:])))
		dst = append(dst, '}')
	}
	return dst, datalen, true, false
}

func appendTCPAO(dst []byte, r *optReader, ln int) (_ []byte, datalen int, ok, bad bool) {
	datalen = ln - 2
	if datalen < 2 {
		return append(dst, " (invalid)"...), datalen, true, false
	}
	d := r.p[r.cp:]
	if ok, bad = r.has(2); !ok {
		return dst, datalen, false, bad
	}
	dst = append(dst, " keyid "...)
	dst = appendUint(dst, uint64(d[0]))
	dst = append(dst, " rnextkeyid "...)
	dst = appendUint(dst, uint64(d[1]))
	if datalen > 2 {
		dst = append(dst, " mac 0x"...)
		for i := 2; i < datalen; i++ {
			if ok, bad = r.has(i + 1); !ok {
				return dst, datalen, false, bad
			}
			dst = appendHex(dst, uint64(d[i]), 2)
		}
	}
	return dst, datalen, true, false
}

// appendFastOpen prints an RFC 7413 cookie or cookie request.
func appendFastOpen(dst, d []byte) []byte {
	switch {
	case len(d) == 0:
		return append(dst, " cookiereq"...)
	case len(d)%2 != 0 || len(d) < 4 || len(d) > 16:
		return append(dst, " (invalid)"...)
	}
	dst = append(dst, " cookie "...)
	for _, c := range d {
		dst = appendHex(dst, uint64(c), 2)
	}
	return dst
}
