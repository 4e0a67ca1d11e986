//go:build linux

package netlab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Link is a veth pair joining two hosts: A's end AIf, B's end BIf.
type Link struct {
	A, B     *Host
	AIf, BIf string
	APrefix  netip.Prefix // A's address on the link, with the link's prefix length
	BPrefix  netip.Prefix
	// APrefix6 and BPrefix6 are the ends' IPv6 addresses (AddIPv6);
	// every topology of this package sets them. Each end also has its
	// fe80::/64 link-local address.
	APrefix6, BPrefix6 netip.Prefix
	MTU                int // 1500 unless SetMTU changed it
}

// ConnectHosts creates a veth pair with one end in each namespace, named
// aIf in a and bIf in b, gives the ends their addresses and brings them
// up. The pair is created straight into the two namespaces, so nothing
// appears in the caller's namespace and names never clash between tests.
// Transmit checksum offload is turned off on both ends, so that a capture
// shows the checksums the wire would carry (with offload on, locally sent
// UDP and TCP leave through veth with only the pseudo-header sum filled).
func ConnectHosts(ctx context.Context, a, b *Host, aIf, bIf string, aPrefix, bPrefix netip.Prefix) (*Link, error) {
	for _, n := range []string{aIf, bIf} {
		if n == "" || len(n) >= unix.IFNAMSIZ {
			return nil, fmt.Errorf("netlab: bad interface name %q (1 to %d bytes)", n, unix.IFNAMSIZ-1)
		}
	}
	out, err := exec.CommandContext(ctx, "ip", "link", "add", "name", aIf, "netns", a.Name,
		"type", "veth", "peer", "name", bIf, "netns", b.Name).CombinedOutput()
	if err != nil {
		return nil, cmdError(fmt.Sprintf("veth %s:%s - %s:%s", a.Name, aIf, b.Name, bIf), out, err)
	}
	l := &Link{A: a, B: b, AIf: aIf, BIf: bIf, APrefix: aPrefix, BPrefix: bPrefix, MTU: 1500}
	for _, end := range []struct {
		h   *Host
		ifn string
		p   netip.Prefix
	}{{a, aIf, aPrefix}, {b, bIf, bPrefix}} {
		if err := end.h.Do(func() error { return txChecksumOff(end.ifn) }); err != nil {
			return nil, fmt.Errorf("netlab: %s: %s: %w", end.h.Name, end.ifn, err)
		}
		lines := []string{"link set " + end.ifn + " up"}
		if end.p.IsValid() {
			lines = append(lines, "addr add "+end.p.String()+" dev "+end.ifn)
		}
		if err := end.h.ipBatch(ctx, lines...); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// AddIPv6 gives the ends of the link the IPv6 addresses aPrefix and
// bPrefix, usable at once (nodad: no duplicate address detection).
func (l *Link) AddIPv6(ctx context.Context, aPrefix, bPrefix netip.Prefix) error {
	for _, end := range []struct {
		h   *Host
		ifn string
		p   netip.Prefix
	}{{l.A, l.AIf, aPrefix}, {l.B, l.BIf, bPrefix}} {
		if !end.p.Addr().Is6() || end.p.Addr().Is4In6() {
			return fmt.Errorf("netlab: %s: %s is not an IPv6 prefix", end.h.Name, end.p)
		}
		if err := end.h.ipBatch(ctx, "addr add "+end.p.String()+" dev "+end.ifn+" nodad"); err != nil {
			return err
		}
	}
	l.APrefix6, l.BPrefix6 = aPrefix, bPrefix
	return nil
}

// mldSettle is how long a new topology waits before it is handed over:
// the MLD reports of new IPv6 addresses leave from a kernel work queue a
// few jiffies after the address is added (with the report interval at
// its minimum, as CreateHost sets it), and a capture started later must
// not see them.
const mldSettle = 50 * time.Millisecond

// connect6 is ConnectHosts with the IPv6 addresses of subnet k as well:
// 10.0.k.e/24 and fd00:0:0:k::e/64.
func connect6(ctx context.Context, a, b *Host, aIf, bIf string, subnet byte) (*Link, error) {
	l, err := ConnectHosts(ctx, a, b, aIf, bIf, subnetEnd(subnet, 1), subnetEnd(subnet, 2))
	if err != nil {
		return nil, err
	}
	return l, l.AddIPv6(ctx, subnetEnd6(subnet, 1), subnetEnd6(subnet, 2))
}

// subnetEnd6 is subnetEnd's IPv6 counterpart: fd00:0:0:subnet::end/64.
func subnetEnd6(subnet, end byte) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom16([16]byte{0xfd, 0, 0, 0, 0, 0, 0, subnet, 15: end}), 64)
}

// SetMTU sets the MTU of both ends of the link.
func (l *Link) SetMTU(ctx context.Context, mtu int) error {
	for _, end := range []struct {
		h   *Host
		ifn string
	}{{l.A, l.AIf}, {l.B, l.BIf}} {
		if err := end.h.ipBatch(ctx, "link set "+end.ifn+" mtu "+strconv.Itoa(mtu)); err != nil {
			return err
		}
	}
	l.MTU = mtu
	return nil
}

// ethtool(8) ioctl constants from <linux/ethtool.h> and <linux/sockios.h>.
const (
	ethtoolSTXCSUM = 0x17 // ETHTOOL_STXCSUM: set transmit checksum offload
)

type ethtoolValue struct {
	cmd  uint32
	data uint32
}

// ifreqData is struct ifreq with ifr_data (sockios: SIOCETHTOOL).
type ifreqData struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [24 - unsafe.Sizeof(uintptr(0))]byte
}

// txChecksumOff does what `ethtool -K IFACE tx off` does, from the
// current thread's namespace. The kernel also turns off the features
// that need it (TSO).
func txChecksumOff(ifname string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	v := ethtoolValue{cmd: ethtoolSTXCSUM, data: 0}
	var ifr ifreqData
	copy(ifr.name[:], ifname)
	ifr.data = unsafe.Pointer(&v)
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
	if errno != 0 {
		return os.NewSyscallError("ioctl SIOCETHTOOL", errno)
	}
	return nil
}
