package spec

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Show returns every field of every layer of the packet, one per line,
// in scapy's show() layout:
//
//	###[ ip ]###
//	  version   = 4
//	  ihl       = 5
//	  ...
//
// The values are those written, computed ones included.
func (p *Packet) Show() string {
	var sb strings.Builder
	for i := range p.defs {
		d := p.defs[i]
		fmt.Fprintf(&sb, "###[ %s ]###\n", d.name)
		for _, f := range d.fields {
			if f.get == nil {
				continue
			}
			v := f.get(&p.builds[i])
			if v == nil {
				continue // a field the layer's type gives no meaning to
			}
			fmt.Fprintf(&sb, "  %-9s = %s\n", f.name, showValue(v))
		}
	}
	return sb.String()
}

func showValue(v any) string {
	switch x := v.(type) {
	case net.IP:
		return x.String()
	case []byte:
		if len(x) == 0 {
			return "''"
		}
		return strconv.Quote(string(x))
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// Help returns the reference of the spec language: the syntax and,
// from the one table the parser uses, every layer and field with its
// default and meaning. `rawkit help send` prints it.
func Help() string {
	var sb strings.Builder
	sb.WriteString(`A packet spec is layers joined by "/", outermost first, each a layer
name with named fields, as in scapy:

  ip(dst=10.0.0.2, ttl=3, id=7, flags=DF, tos=0x10)/icmp(type=echo-request, id=1, seq=1)/raw("hello")
  ip(dst=10.0.0.2)/udp(sport=1234, dport=53)/raw(hex="00ff")
  ip(dst=10.0.0.2)/tcp(dport=80, flags=S, seq=1000, window=1024, options=[mss=1460, sackok, wscale=7])
  ip(dst=10.0.0.2)/ip(dst=172.16.0.2)/icmp()               IP in IP
  ip(dst=10.0.0.2, frag=185, flags=MF)/raw(size=64)        a later fragment
  ip(dst=10.0.0.2)/icmp(type=dest-unreach, code=port-unreachable)/ip(src=10.0.0.2, dst=10.0.0.1)/udp(dport=53)
  ip6(dst=fd00::2, hlim=3, tc=0x10, fl=12345)/icmp6(type=echo-request, id=1, seq=1)/raw("hi")
  ip6(dst=fd00::2)/udp(dport=33434-33436)                 UDP over IPv6
  ip6(dst=ff02::1:ff00:2, hlim=255)/icmp6(type=ns, tgt=fd00::2, options=[slla=02:00:00:00:00:01])
  ip6(dst=fd00::2)/hbh(options=[ra=0])/rt(addrs=[fd00::3])/frag6(offset=0, m=1, id=7)/dest()/udp()

A spec starts with ip(...) or ip6(...); raw(...) comes last. IPv6
extension headers go between ip6(...) and what it carries, in the order
given; every next header is computed from the layer after it unless set. Numbers are decimal, or
hex, octal or binary with 0x, 0o or 0b. Strings are quoted with Go's
escapes. Fields left out take the default below ("computed": from the rest
of the packet; "route": the source address the kernel would use toward
dst); a field given is written as given, even a wrong checksum or length.

Ranges and lists make several packets: ttl=1-5, dport=[22,80,443],
dst=10.0.0.1-10.0.0.9, dst=10.0.0.1-9, dst=10.0.0.0/30, sport=[1000-1002,2000],
dst=fd00::1-fd00::9, dst=fd00::1-9 (the last group, in hex), dst=fd00::/120.
Several of them make every combination, the leftmost changing slowest.
`)
	fmt.Fprintf(&sb, "A spec may expand to at most %d packets.\n", DefaultMaxPackets)
	for _, d := range specLayers {
		fmt.Fprintf(&sb, "\n%s(...): %s\n", d.name, d.doc)
		for _, f := range d.fields {
			name := f.name
			if len(f.aliases) > 0 {
				name += " (" + strings.Join(f.aliases, ", ") + ")"
			}
			rng := ""
			if f.max > 0 && f.kind == kindUint || f.kind == kindSize {
				rng = " 0-" + strconv.FormatUint(f.max, 10) + ";"
			}
			fmt.Fprintf(&sb, "  %-27s %-13s%s %s\n", name, f.def, rng, f.doc)
		}
	}
	sb.WriteString("\nICMP types: ")
	sb.WriteString(strings.Join(nameList(icmpTypeNames), ", "))
	sb.WriteString(".\nICMP codes: ")
	sb.WriteString(strings.Join(allCodeNames(), ", "))
	sb.WriteString(".\nICMPv6 types: ")
	sb.WriteString(strings.Join(nameList(icmp6TypeNames), ", "))
	sb.WriteString(".\nICMPv6 codes: ")
	sb.WriteString(strings.Join(nameList(icmp6CodeNames), ", "))
	sb.WriteString(".\nIP protocols: ")
	sb.WriteString(strings.Join(nameList(protoNames), ", "))
	sb.WriteString(".\n")
	return sb.String()
}
