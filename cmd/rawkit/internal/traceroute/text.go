package traceroute

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	xicmp "golang.org/x/net/icmp"

	"github.com/rawkit/rawkit/icmp"
	"github.com/rawkit/rawkit/icmp/trace"
)

// traceHeader is traceroute's first line.
func traceHeader(host string, dst netip.Addr, maxTTL, size int) string {
	return fmt.Sprintf("traceroute to %s (%s), %d hops max, %d byte packets\n", host, dst, maxTTL, size)
}

// appendHop appends a hop line as traceroute prints it: the TTL in two
// columns, then per probe the responder (only when it differs from the
// previous answered probe's, or its extensions do), the round trip and
// the annotation, or " *" for no answer. name gives a responder's name
// ("" when it has none); nil means numeric output.
func appendHop(b []byte, h trace.Hop, name func(netip.Addr) string, ext bool) []byte {
	b = fmt.Appendf(b, "%2d ", h.TTL)
	var prev *trace.ProbeResult
	for k := range h.Probes {
		p := &h.Probes[k]
		if !p.Answered {
			b = append(b, " *"...)
			if p.MTU != 0 {
				b = fmt.Appendf(b, " F=%d", p.MTU)
			}
			continue
		}
		exts := ""
		if ext {
			exts = formatExtensions(p.Extensions)
		}
		switch {
		case !p.From.IsValid():
			// A probe refused here (!F-MTU) has no responder, which
			// traceroute prints as * each time.
			b = append(b, " *"...)
		case prev == nil || prev.From != p.From || (ext && formatExtensions(prev.Extensions) != exts):
			b = appendAddr(b, p.From, name)
			if exts != "" {
				b = append(b, " <"+exts+">"...)
			}
		}
		prev = p
		if !p.From.IsValid() {
			prev = nil
		}
		b = fmt.Appendf(b, "  %.3f ms", float64(p.RTT.Nanoseconds())/1e6)
		if p.MTU != 0 {
			b = fmt.Appendf(b, " F=%d", p.MTU)
		}
		if a := annotation(*p); a != "" {
			b = append(b, ' ')
			b = append(b, a...)
		}
	}
	return append(b, '\n')
}

func appendAddr(b []byte, a netip.Addr, name func(netip.Addr) string) []byte {
	if name == nil {
		return append(b, " "+a.String()...)
	}
	n := name(a)
	if n == "" {
		n = a.String()
	}
	return append(b, " "+n+" ("+a.String()+")"...)
}

// annotation is traceroute's mark for a destination unreachable: !H, !N,
// !P, !X, !F-MTU, ...; port unreachable (the UDP destination's answer)
// and every other answer have none.
func annotation(p trace.ProbeResult) string {
	if p.Local {
		return "!F-" + strconv.Itoa(p.NextMTU) // refused here: larger than the interface's MTU, DF set
	}
	if p.IPv6 {
		return annotation6(p)
	}
	if p.Type != icmp.TypeDestUnreach {
		return ""
	}
	switch p.Code {
	case 0, 6, 8, 11:
		return "!N"
	case 1, 7, 12:
		return "!H"
	case 2:
		return "!P"
	case 3:
		return ""
	case 4:
		return "!F-" + strconv.Itoa(p.NextMTU)
	case 5:
		return "!S"
	case 9, 10, 13:
		return "!X"
	case 14:
		return "!V"
	case 15:
		return "!C"
	}
	return "!<" + strconv.Itoa(p.Code) + ">"
}

// annotation6 is traceroute's mark for an ICMPv6 destination unreachable
// (RFC 4443 3.1 codes) or packet too big (!F-MTU, as IPv4's
// fragmentation needed).
func annotation6(p trace.ProbeResult) string {
	switch p.Type {
	case icmp.TypePacketTooBigV6:
		return "!F-" + strconv.Itoa(p.NextMTU)
	case icmp.TypeDestUnreachV6:
	default:
		return ""
	}
	switch p.Code {
	case 0:
		return "!N"
	case 1, 5, 6:
		return "!X" // administratively prohibited, source policy, reject route
	case 2, 3:
		return "!H" // beyond scope, address unreachable
	case 4:
		return "" // port unreachable: the UDP destination's answer
	}
	return "!<" + strconv.Itoa(p.Code) + ">"
}

// formatExtensions renders RFC 4950 MPLS label stacks as traceroute -e
// does: "MPLS:L=100,E=0,S=1,T=1", entries joined by "/".
func formatExtensions(exts []xicmp.Extension) string {
	var parts []string
	for _, e := range exts {
		st, ok := e.(*xicmp.MPLSLabelStack)
		if !ok {
			continue
		}
		var ls []string
		for _, l := range st.Labels {
			s := 0
			if l.S {
				s = 1
			}
			ls = append(ls, fmt.Sprintf("L=%d,E=%d,S=%d,T=%d", l.Label, l.TC, s, l.TTL))
		}
		if len(ls) > 0 {
			parts = append(parts, "MPLS:"+strings.Join(ls, "/"))
		}
	}
	return strings.Join(parts, " ")
}
