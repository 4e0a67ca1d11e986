package craft

import (
	"encoding/hex"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Golden packets: the bytes craft builds, each with tcpdump 4.99.3's reading
// of the same bytes (tcpdump -S -n -t -vv -r) in a comment.
var goldenPackets = []struct {
	name  string
	first gopacket.LayerType
	build func(b *Builder) ([]byte, error)
	hex   string
	sums  map[gopacket.LayerType]Checksum
}{
	{
		// IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 36)
		//     10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16
		"echo request", layers.LayerTypeIPv4,
		func(b *Builder) ([]byte, error) { return b.BuildICMPv4(goldenEcho()) },
		"4500002412344000400114a30a0000010a00000208008395000700017261776b69742121",
		map[gopacket.LayerType]Checksum{
			layers.LayerTypeIPv4:   {ChecksumGood, 0x14a3, 0x14a3},
			layers.LayerTypeICMPv4: {ChecksumGood, 0x8395, 0x8395},
		},
	},
	{
		// IP (tos 0x0, ttl 64, id 4660, offset 0, flags [DF], proto ICMP (1), length 36)
		//     10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 16 (wrong icmp cksum dead (->8395)!)
		"echo request, ICMP checksum kept wrong", layers.LayerTypeIPv4,
		func(b *Builder) ([]byte, error) {
			p := goldenEcho()
			p.ICMP.Checksum, p.Keep = 0xdead, ICMPv4Checksum
			return b.BuildICMPv4(p)
		},
		"4500002412344000400114a30a0000010a0000020800dead000700017261776b69742121",
		map[gopacket.LayerType]Checksum{
			layers.LayerTypeIPv4:   {ChecksumGood, 0x14a3, 0x14a3},
			layers.LayerTypeICMPv4: {ChecksumBad, 0xdead, 0x8395},
		},
	},
	{
		// IP (tos 0x0, ttl 1, id 16962, offset 0, flags [none], proto UDP (17), length 33)
		//     10.0.0.1.33434 > 10.0.0.2.33435: [udp sum ok] UDP, length 5
		"traceroute probe", layers.LayerTypeIPv4,
		func(b *Builder) ([]byte, error) {
			p := NewUDP(netip.AddrPortFrom(srcAddr, 33434), netip.AddrPortFrom(dstAddr, 33435), []byte("probe"))
			p.IP.TTL, p.IP.Id = 1, 0x4242
			return b.BuildUDP(p)
		},
		"4500002142420000011163880a0000010a000002829a829b000da1c670726f6265",
		map[gopacket.LayerType]Checksum{
			layers.LayerTypeIPv4: {ChecksumGood, 0x6388, 0x6388},
			layers.LayerTypeUDP:  {ChecksumGood, 0xa1c6, 0xa1c6},
		},
	},
	{
		// IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 60)
		//     10.0.0.1.40000 > 10.0.0.2.80: Flags [S], cksum 0x8f84 (correct), seq 1000, win 1024, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0
		"SYN", layers.LayerTypeIPv4,
		func(b *Builder) ([]byte, error) {
			p := linuxSYN()
			p.IP.Id = 1
			return b.BuildTCP(p)
		},
		"4500003c00010000400666b90a0000010a0000029c400050000003e800000000a00204008f840000020405b40402080a000000010000000001030307",
		map[gopacket.LayerType]Checksum{
			layers.LayerTypeIPv4: {ChecksumGood, 0x66b9, 0x66b9},
			layers.LayerTypeTCP:  {ChecksumGood, 0x8f84, 0x8f84},
		},
	},
	{
		// IP truncated-ip - 1472 bytes missing! (tos 0x0, ttl 64, id 153, offset 1480, flags [+], proto ICMP (1), length 1500)
		//     10.0.0.1 > 10.0.0.2: ip-proto-1
		"later fragment with a lying length", layers.LayerTypeIPv4,
		func(b *Builder) ([]byte, error) {
			ip := ipv4Header(srcAddr, dstAddr, layers.IPProtocolICMPv4)
			ip.Id, ip.Flags, ip.FragOffset, ip.Length = 0x99, layers.IPv4MoreFragments, 185, 1500
			return b.Build(&Literal{Layer: &ip, Keep: IPv4Length}, gopacket.Payload("fragment"))
		},
		"450005dc009920b940013fcd0a0000010a000002667261676d656e74",
		map[gopacket.LayerType]Checksum{
			layers.LayerTypeIPv4:   {ChecksumGood, 0x3fcd, 0x3fcd},
			layers.LayerTypeICMPv4: {},
		},
	},
	{
		// ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.2 tell 10.0.0.1, length 46
		"ARP request, padded to 60 bytes", layers.LayerTypeEthernet,
		func(b *Builder) ([]byte, error) {
			mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
			return b.Build(&layers.Ethernet{SrcMAC: mac, DstMAC: layers.EthernetBroadcast},
				&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, Operation: layers.ARPRequest,
					SourceHwAddress: mac, SourceProtAddress: []byte{10, 0, 0, 1},
					DstHwAddress: make([]byte, 6), DstProtAddress: []byte{10, 0, 0, 2}})
		},
		"ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002000000000000000000000000000000000000",
		nil,
	},
}

func goldenEcho() *ICMPv4Packet {
	p := NewICMPEcho(srcAddr, dstAddr, 7, 1, []byte("rawkit!!"))
	p.IP.Id, p.IP.Flags = 0x1234, layers.IPv4DontFragment
	return p
}

func TestGoldenPackets(t *testing.T) {
	b := NewBuilder()
	for _, g := range goldenPackets {
		t.Run(g.name, func(t *testing.T) {
			got, err := g.build(b)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got) != g.hex {
				t.Fatalf("built\n %x\nwant\n %s", got, g.hex)
			}
			d := NewDecoder(g.first)
			if err := d.Decode(got); err != nil {
				t.Fatal(err)
			}
			for typ, want := range g.sums {
				if c := d.Checksum(typ); c != want {
					t.Errorf("%v checksum %+v, want %+v", typ, c, want)
				}
			}
		})
	}
}
