package spec

import (
	"strconv"

	"github.com/gopacket/gopacket/layers"
)

// Names of ICMP types and codes and of IP protocols, as scapy spells them.

type specName struct {
	name string
	v    uint8
}

var icmpTypeNames = []specName{
	{"echo-reply", 0}, {"dest-unreach", 3}, {"source-quench", 4}, {"redirect", 5},
	{"echo-request", 8}, {"router-advertisement", 9}, {"router-solicitation", 10},
	{"time-exceeded", 11}, {"parameter-problem", 12}, {"timestamp-request", 13},
	{"timestamp-reply", 14}, {"information-request", 15}, {"information-response", 16},
	{"address-mask-request", 17}, {"address-mask-reply", 18},
	// Short forms people type.
	{"echo", 8}, {"reply", 0}, {"unreach", 3}, {"time-exceed", 11}, {"param-problem", 12},
	{"timestamp", 13}, {"mask-request", 17}, {"mask-reply", 18},
}

// icmpCodeNames are per type. Every name is distinct, so a code name
// is found whatever the type, and a code may be sent with any type.
var icmpCodeNames = map[uint8][]specName{
	3: {{"network-unreachable", 0}, {"host-unreachable", 1}, {"protocol-unreachable", 2},
		{"port-unreachable", 3}, {"fragmentation-needed", 4}, {"source-route-failed", 5},
		{"network-unknown", 6}, {"host-unknown", 7}, {"source-host-isolated", 8},
		{"network-prohibited", 9}, {"host-prohibited", 10}, {"network-unreachable-for-tos", 11},
		{"host-unreachable-for-tos", 12}, {"communication-prohibited", 13},
		{"host-precedence-violation", 14}, {"precedence-cutoff", 15}},
	5:  {{"network-redirect", 0}, {"host-redirect", 1}, {"tos-network-redirect", 2}, {"tos-host-redirect", 3}},
	11: {{"ttl-zero-during-transit", 0}, {"ttl-zero-during-reassembly", 1}},
	12: {{"ip-header-bad", 0}, {"required-option-missing", 1}},
}

var protoNames = []specName{
	{"hopopt", 0}, {"icmp", 1}, {"igmp", 2}, {"ipip", 4}, {"ipencap", 4}, {"tcp", 6},
	{"udp", 17}, {"ipv6", 41}, {"gre", 47}, {"esp", 50}, {"ah", 51}, {"ospf", 89},
	{"sctp", 132}, {"raw", 255},
	{"icmp6", 58}, {"ipv6-icmp", 58}, {"ipv6-route", 43}, {"ipv6-frag", 44}, {"ipv6-opts", 60},
	{"ipv6-nonxt", 59}, {"none", 59},
}

func lookupName(names []specName, s string) (uint8, bool) {
	for _, n := range names {
		if n.name == s {
			return n.v, true
		}
	}
	return 0, false
}

func nameList(names []specName) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.name
	}
	return out
}

func nameOf(names []specName, v uint8) (string, bool) {
	for _, n := range names {
		if n.v == v {
			return n.name, true
		}
	}
	return "", false
}

func allCodeNames() []string {
	var out []string
	for _, t := range []uint8{3, 5, 11, 12} {
		out = append(out, nameList(icmpCodeNames[t])...)
	}
	return out
}

func lookupCode(s string) (uint8, bool) {
	for _, ns := range icmpCodeNames {
		if v, ok := lookupName(ns, s); ok {
			return v, true
		}
	}
	return 0, false
}

func icmpTypeString(t uint8) string {
	if n, ok := nameOf(icmpTypeNames, t); ok {
		return n + " (" + strconv.Itoa(int(t)) + ")"
	}
	return strconv.Itoa(int(t))
}

func icmpCodeString(t, c uint8) string {
	if n, ok := nameOf(icmpCodeNames[t], c); ok {
		return n + " (" + strconv.Itoa(int(c)) + ")"
	}
	return strconv.Itoa(int(c))
}

func protoString(p uint8) string {
	if n, ok := nameOf(protoNames, p); ok {
		return n + " (" + strconv.Itoa(int(p)) + ")"
	}
	return strconv.Itoa(int(p))
}

func ipFlagsString(v uint64) string {
	if v == 0 {
		return "0"
	}
	s := ""
	for _, f := range []struct {
		bit  uint64
		name string
	}{{uint64(layers.IPv4DontFragment), "DF"}, {uint64(layers.IPv4MoreFragments), "MF"}, {uint64(layers.IPv4EvilBit), "evil"}} {
		if v&f.bit != 0 {
			if s != "" {
				s += "+"
			}
			s += f.name
		}
	}
	return s
}

func hexByte(v uint8) string { return "0x" + strconv.FormatUint(uint64(v)|0x100, 16)[1:] }
func hex16(v uint16) string  { return "0x" + strconv.FormatUint(uint64(v)|0x10000, 16)[1:] }
