package capture

import "github.com/rawkit/rawkit/capture/filter"

// LinkType is a pcap link-layer header type (the LINKTYPE_ values of pcap
// and pcapng files): what the bytes of each packet start with. It is the
// filter compiler's type, under the name files and captures know it by.
type LinkType = filter.LinkType

// The link types capture reads and writes.
const (
	LinkEthernet  = filter.LinkEthernet  // LINKTYPE_ETHERNET: Ethernet II (also Linux loopback)
	LinkRaw       = filter.LinkRaw       // LINKTYPE_RAW: an IPv4 or IPv6 header, no link layer
	LinkLinuxSLL  = filter.LinkLinuxSLL  // LINKTYPE_LINUX_SLL: Linux cooked header, 16 bytes
	LinkLinuxSLL2 = filter.LinkLinuxSLL2 // LINKTYPE_LINUX_SLL2: Linux cooked header v2, 20 bytes
	LinkNull      = filter.LinkNull      // LINKTYPE_NULL: BSD loopback (read and printed; no filters)
	LinkIPv4      = filter.LinkIPv4      // LINKTYPE_IPV4: an IPv4 header, no link layer
	LinkIPv6      = filter.LinkIPv6      // LINKTYPE_IPV6: an IPv6 header, no link layer
)

// DefaultSnapLen is what a capture keeps of each packet unless told
// otherwise: 262144 bytes, tcpdump's default, so nothing is cut. A filter
// compiled for snap length 0 keeps as much.
const DefaultSnapLen = filter.DefaultSnapLen
