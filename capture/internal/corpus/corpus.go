// Package corpus is the test traffic of package capture and its filter
// compiler: a mixed-traffic corpus of Ethernet frames, IPv6 packets with
// extension headers, and the filter expressions both are checked with.
// Tests of capture/filter and of capture share it; it is not for use
// outside tests.
package corpus

import (
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Packet is one frame of a corpus.
type Packet struct {
	Name string
	Data []byte
}

var (
	macA  = net.HardwareAddr{2, 0, 0, 0, 0, 1}
	macB  = net.HardwareAddr{2, 0, 0, 0, 0, 2}
	bcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

func ip4(s string) net.IP { return net.ParseIP(s).To4() }

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true}
	for _, l := range ls {
		if _, ok := l.(gopacket.NetworkLayer); ok {
			opts.ComputeChecksums = true
		}
	}
	for _, l := range ls {
		switch l := l.(type) {
		case *layers.TCP:
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					_ = l.SetNetworkLayerForChecksum(nl)
				}
			}
		case *layers.UDP:
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					_ = l.SetNetworkLayerForChecksum(nl)
				}
			}
		case *layers.ICMPv6:
			for _, n := range ls {
				if nl, ok := n.(gopacket.NetworkLayer); ok {
					_ = l.SetNetworkLayerForChecksum(nl)
				}
			}
		}
	}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func eth(src, dst net.HardwareAddr, et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: et}
}

func v4(src, dst string, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, TTL: 64, Id: 1, Protocol: proto, SrcIP: ip4(src), DstIP: ip4(dst)}
}

func v6(src, dst string, next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

func payload(n int, fill byte) gopacket.Payload {
	p := make([]byte, n)
	for i := range p {
		p[i] = fill + byte(i)
	}
	return p
}

// Build makes the mixed traffic the filter corpus runs over: ICMP
// echoes and errors, UDP, TCP with various flags and payloads, ARP,
// fragments, IP options, IPv6 (with and without a fragment header),
// broadcast and multicast.
func Build(t testing.TB) []Packet {
	t.Helper()
	var c []Packet
	add := func(name string, ls ...gopacket.SerializableLayer) {
		c = append(c, Packet{name, serialize(t, ls...)})
	}
	et4, et6 := layers.EthernetTypeIPv4, layers.EthernetTypeIPv6
	icmp := func(typ, code uint8, id, seq uint16) *layers.ICMPv4 {
		return &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code), Id: id, Seq: seq}
	}
	add("echo request", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 1), icmp(8, 0, 7, 1), payload(56, 0))
	add("echo reply", eth(macB, macA, et4), v4("10.0.0.2", "10.0.0.1", 1), icmp(0, 0, 7, 1), payload(56, 0))
	add("big echo request", eth(macA, macB, et4), v4("10.0.0.1", "10.1.2.3", 1), icmp(8, 0, 8, 2), payload(400, 3))
	quoted := serialize(t, v4("10.0.0.1", "10.0.0.2", 17), &layers.UDP{SrcPort: 40000, DstPort: 33434}, payload(8, 1))
	add("port unreachable", eth(macB, macA, et4), v4("10.0.0.2", "10.0.0.1", 1), icmp(3, 3, 0, 0), gopacket.Payload(quoted))
	ttl := v4("192.168.1.5", "10.0.0.1", 1)
	ttl.TTL = 1
	add("time exceeded", eth(macB, macA, et4), ttl, icmp(11, 0, 0, 0), gopacket.Payload(quoted))
	add("udp dns", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 17), &layers.UDP{SrcPort: 40001, DstPort: 53}, payload(30, 9))
	add("udp dns reply", eth(macB, macA, et4), v4("10.0.0.2", "10.0.0.1", 17), &layers.UDP{SrcPort: 53, DstPort: 40001}, payload(90, 9))
	add("udp ntp", eth(macA, macB, et4), v4("172.16.0.9", "10.0.0.2", 17), &layers.UDP{SrcPort: 123, DstPort: 123}, payload(48, 0))
	add("udp traceroute", eth(macA, macB, et4), v4("10.0.0.1", "192.168.1.5", 17), &layers.UDP{SrcPort: 40000, DstPort: 33434}, payload(12, 0))
	add("udp 1500", eth(macA, macB, et4), v4("10.1.2.3", "10.0.0.2", 17), &layers.UDP{SrcPort: 1500, DstPort: 5000}, payload(10, 0))
	tcp := func(sport, dport uint16, flags string) *layers.TCP {
		l := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: 1000, Ack: 0, Window: 1024}
		for _, f := range flags {
			switch f {
			case 'S':
				l.SYN = true
			case 'A':
				l.ACK, l.Ack = true, 5000
			case 'F':
				l.FIN = true
			case 'R':
				l.RST = true
			case 'P':
				l.PSH = true
			case 'U':
				l.URG = true
			}
		}
		return l
	}
	add("tcp syn 80", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 6), tcp(40000, 80, "S"))
	add("tcp synack 80", eth(macB, macA, et4), v4("10.0.0.2", "10.0.0.1", 6), tcp(80, 40000, "SA"))
	add("tcp ack 80", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 6), tcp(40000, 80, "A"))
	add("tcp get 80", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 6), tcp(40000, 80, "PA"), gopacket.Payload("GET / HTTP/1.0\r\n\r\n"))
	add("tcp fin 80", eth(macB, macA, et4), v4("10.0.0.2", "10.0.0.1", 6), tcp(80, 40000, "FA"))
	add("tcp rst 443", eth(macB, macA, et4), v4("192.168.1.5", "10.0.0.1", 6), tcp(443, 40002, "R"))
	add("tcp syn 22", eth(macA, macB, et4), v4("10.0.0.1", "172.16.0.9", 6), tcp(40003, 22, "S"))
	add("tcp data 8080", eth(macA, macB, et4), v4("10.1.2.3", "10.0.0.2", 6), tcp(1234, 8080, "PAU"), payload(300, 5))
	add("tcp 1500-25", eth(macA, macB, et4), v4("10.0.0.1", "10.0.0.2", 6), tcp(1500, 25, "S"))
	arp := func(op uint16, srcMAC net.HardwareAddr, srcIP, dstIP string) *layers.ARP {
		return &layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: et4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: op, SourceHwAddress: srcMAC, SourceProtAddress: ip4(srcIP),
			DstHwAddress: make([]byte, 6), DstProtAddress: ip4(dstIP)}
	}
	add("arp request", eth(macA, bcast, layers.EthernetTypeARP), arp(1, macA, "10.0.0.1", "10.0.0.2"))
	add("arp reply", eth(macB, macA, layers.EthernetTypeARP), arp(2, macB, "10.0.0.2", "10.0.0.1"))
	// A UDP datagram to port 53 in two fragments: only the first holds the ports.
	f1 := v4("10.0.0.1", "10.0.0.2", 17)
	f1.Flags, f1.Id = layers.IPv4MoreFragments, 77
	udpHdr := serialize(t, &layers.UDP{SrcPort: 40005, DstPort: 53, Length: 8 + 1480 + 100})
	add("fragment 1", eth(macA, macB, et4), f1, gopacket.Payload(append(udpHdr[:8:8], payload(1472, 0)...)))
	f2 := v4("10.0.0.1", "10.0.0.2", 17)
	f2.FragOffset, f2.Id = 185, 77
	// The second fragment starts with bytes that look like ports 53 -> 53.
	add("fragment 2", eth(macA, macB, et4), f2, gopacket.Payload(append([]byte{0, 53, 0, 53}, payload(104, 0)...)))
	opt := v4("10.0.0.1", "10.0.0.2", 6)
	opt.Options = []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}} // router alert
	add("tcp with ip options", eth(macA, macB, et4), opt, tcp(40006, 80, "S"))
	optI := v4("10.0.0.2", "10.0.0.1", 1)
	optI.Options = []layers.IPv4Option{{OptionType: 7, OptionLength: 7, OptionData: []byte{4, 0, 0, 0, 0}}, {OptionType: 0}} // record route
	add("echo with ip options", eth(macB, macA, et4), optI, icmp(8, 0, 9, 1), payload(16, 0))
	add("multicast ospf", eth(macA, net.HardwareAddr{1, 0, 0x5e, 0, 0, 5}, et4), v4("10.0.0.1", "224.0.0.5", 89), payload(40, 0))
	icmp6 := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}
	add("icmp6 echo", eth(macA, macB, et6), v6("2001:db8::1", "2001:db8::2", 58), icmp6, &layers.ICMPv6Echo{Identifier: 3, SeqNumber: 1}, payload(8, 0))
	icmp6r := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(129, 0)}
	add("icmp6 echo reply", eth(macB, macA, et6), v6("2001:db8::2", "2001:db8::1", 58), icmp6r, &layers.ICMPv6Echo{Identifier: 3, SeqNumber: 1}, payload(8, 0))
	add("udp6 dns", eth(macA, macB, et6), v6("2001:db8::1", "2001:db8:1::53", 17), &layers.UDP{SrcPort: 40007, DstPort: 53}, payload(20, 0))
	add("tcp6 syn 443", eth(macA, macB, et6), v6("2001:db8::1", "fd00::9", 6), tcp(40008, 443, "S"))
	frag6 := v6("2001:db8::2", "2001:db8::1", 44)
	add("udp6 in fragment header", eth(macB, macA, et6), frag6,
		gopacket.Payload(append([]byte{17, 0, 0, 0, 0, 0, 0, 99}, serialize(t, &layers.UDP{SrcPort: 53, DstPort: 40009, Length: 16}, payload(8, 0))...)))
	return c
}

// Time is packet i's time stamp: i seconds after a fixed epoch, so
// that a line of tcpdump -tt output names its packet.
func Time(i int) time.Time { return time.Unix(1700000000+int64(i), 123456000) }

// Filters returns the expressions the corpus is checked with.
func Filters() []string {
	return []string{
		"", "icmp", "tcp", "udp", "arp", "ip", "ip6", "icmp6", "not ip",
		"host 10.0.0.1", "src host 10.0.0.2", "dst host 10.1.2.3", "host 10.0.0.1 or 10.0.0.2",
		"src and dst host 10.0.0.1", "arp host 10.0.0.1", "ip host 10.0.0.1",
		"net 10.0.0.0/8", "net 192.168.0.0 mask 255.255.0.0", "src net 172.16", "dst net 10.0.0.0/24",
		"port 53", "tcp port 80", "udp dst port 123", "src port 443", "port 80 or 443", "port domain",
		"portrange 1000-2000", "tcp portrange 20-30", "dst portrange 33000-34000", "udp src portrange 1-200",
		"proto 17", "ip proto 1", "ip6 proto 17", "ip proto \\tcp", "proto 89", "ether proto 0x0806",
		"len > 100", "greater 200", "less 80", "len >= 60 and len <= 100",
		"icmp[icmptype] == icmp-echo", "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
		"icmp[0] == 3 or icmp[0] == 11", "icmp[icmpcode] == 3",
		"tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
		"tcp[tcpflags] & (tcp-rst|tcp-fin) != 0", "tcp[13] == 2", "tcp[tcpflags] & tcp-urg != 0",
		"tcp[((tcp[12] & 0xf0) >> 2):1] == 0x47", "udp[4:2] > 20",
		"ip[8] < 5", "ip[0] & 0xf > 5", "ip[6:2] & 0x1fff != 0", "udp and ip[6] & 0x20 != 0", "ip[2:2] > 100",
		"host 10.0.0.1 and (tcp or icmp)", "not arp and not ip6", "tcp and not port 22",
		"src host 10.0.0.1 or dst host 10.0.0.2 and udp", "!tcp && !udp", "not (icmp or arp) || ip6",
		"ip6 host 2001:db8::1", "ip6 net 2001:db8::/32", "src net 2001:db8::/48", "icmp6[icmp6type] == icmp6-echo",
		"ether host 02:00:00:00:00:01", "ether broadcast", "ether src 02:00:00:00:00:02", "ip multicast",
		"ip[12:4] == 0x0a000001", "ip[9] * 2 + 1 == 13", "(ip[2:2] - 20) / 4 > 10", "1 + -len < 0xffffff00", "ip[8] - 60 > 0",
		"ip[0] << 31 != 0",
	}
}
