package exporter

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// An entry is one address or name to probe, with its settings: what a
// host of the configuration (or one address of its CIDR range) becomes.
type entry struct {
	target string     // the target label: the host as written
	addr   netip.Addr // a literal address, or one of a range; invalid for a name
	name   string     // the name to resolve; "" for an address
	set    *Settings
	file   string
	line   int
}

// key identifies an entry across reloads: same target, same member of
// a range, same labels is the same series. Settings are not part of it:
// a new interval keeps the counters.
func (e *entry) key() string {
	member := ""
	if strings.Contains(e.target, "/") {
		member = e.addr.String()
	}
	return e.target + "\x00" + member + "\x00" + labelKey(e.set.Labels)
}

// checkHostSyntax refuses what is neither an address, a CIDR range
// within maxRange, nor a host name.
func checkHostSyntax(h string) error {
	if strings.Contains(h, "/") {
		p, err := netip.ParsePrefix(h)
		if err != nil {
			return fmt.Errorf("bad CIDR range %q", h)
		}
		if p.Masked() != p {
			return fmt.Errorf("bad CIDR range %q: host bits set (the range is %v)", h, p.Masked())
		}
		if bits := p.Addr().BitLen() - p.Bits(); bits > maxRangeBits {
			return fmt.Errorf("bad CIDR range %q: %s addresses, more than the %d a range may hold (list larger sets in file_sd files)", h, rangeSize(bits), maxRange)
		}
		return nil
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if !validName(h) {
		return fmt.Errorf("bad host %q: not an address, a CIDR range or a host name", h)
	}
	return nil
}

// rangeSize writes how many addresses a range of that many host bits
// holds (IPv6 ranges overflow every integer type).
func rangeSize(bits int) string {
	if bits >= 63 {
		return fmt.Sprintf("2^%d", bits)
	}
	return fmt.Sprint(uint64(1) << bits)
}

// validName is RFC 1123 host name syntax, with the underscores real
// zones hold (_dmarc), at most 253 bytes.
func validName(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	// The last label of a name is not all digits (RFC 1123 2.1, RFC
	// 3696 2): 10.0.0.300 is a bad address, not a name.
	last := h[strings.LastIndexByte(h, '.')+1:]
	if strings.Trim(last, "0123456789") == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

// expand turns one host into entries: every address of a range (IPv4
// ranges larger than /31 without their network and broadcast
// addresses, as fping -g), an address, or a name.
func expand(h Host, set *Settings, file string) []entry {
	e := entry{target: h.Spec, set: set, file: file, line: h.Line}
	if p, err := netip.ParsePrefix(h.Spec); err == nil {
		var out []entry
		for a := p.Addr(); a.IsValid() && p.Contains(a); a = a.Next() {
			if p.Addr().Is4() && p.Bits() < 31 && (a == p.Addr() || !p.Contains(a.Next())) {
				continue
			}
			e.addr = a
			out = append(out, e)
		}
		return out
	}
	if a, err := netip.ParseAddr(h.Spec); err == nil {
		e.addr = a.Unmap()
		return []entry{e}
	}
	e.name = h.Spec
	return []entry{e}
}

// matchGlob checks a file pattern as filepath.Match does, and lists
// what it matches.
func matchGlob(pattern string) ([]string, error) {
	return filepath.Glob(pattern)
}
