package inject

import (
	"encoding/binary"
	"errors"
	"maps"
	"net"
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/netlink"
)

// route is what the kernel's routing table says of a destination.
type route struct {
	typ     uint8 // RTN_UNICAST, RTN_LOCAL... (rtnetlink(7))
	ifindex int
	gateway netip.Addr // invalid when dst is on the link
	src     netip.Addr // the preferred source, invalid when none
}

// lookupRoute asks the kernel for its route to dst, out of interface
// oif when it is not 0, as `ip route get` does (RTM_GETROUTE,
// rtnetlink(7)): a lookup, nothing is sent.
func lookupRoute(dst netip.Addr, oif int) (route, error) {
	body := make([]byte, unix.SizeofRtMsg)
	body[0], body[1] = unix.AF_INET, 32 // family, destination prefix length
	d := dst.As4()
	body = netlink.AppendAttr(body, unix.RTA_DST, d[:])
	if oif > 0 {
		body = netlink.AppendAttr(body, unix.RTA_OIF, binary.NativeEndian.AppendUint32(nil, uint32(oif)))
	}
	msgs, err := netlinkRequest(unix.RTM_GETROUTE, 0, body)
	if err != nil {
		return route{}, err
	}
	if len(msgs) == 0 || len(msgs[0]) < unix.SizeofRtMsg {
		return route{}, errors.New("netlink: short route message")
	}
	m := msgs[0]
	r := route{typ: m[7]}
	// Indexed by type; a repeated attribute counts as its last copy.
	a := maps.Collect(netlink.Attrs(m[unix.SizeofRtMsg:]))
	if v := a[unix.RTA_OIF]; len(v) == 4 {
		r.ifindex = int(binary.NativeEndian.Uint32(v))
	}
	if v := a[unix.RTA_GATEWAY]; len(v) == 4 {
		r.gateway = netip.AddrFrom4([4]byte(v))
	}
	if v := a[unix.RTA_PREFSRC]; len(v) == 4 {
		r.src = netip.AddrFrom4([4]byte(v))
	}
	if r.ifindex == 0 {
		return route{}, errors.New("netlink: route without an output interface")
	}
	return r, nil
}

// usableNeigh are the neighbour states whose link-layer address may be
// used (rtnetlink(7)); the kernel itself sends to STALE ones.
const usableNeigh = unix.NUD_REACHABLE | unix.NUD_STALE | unix.NUD_DELAY | unix.NUD_PROBE | unix.NUD_PERMANENT | unix.NUD_NOARP

// lookupNeigh returns the link-layer address of addr on interface
// ifindex from the kernel's neighbour table (RTM_GETNEIGH, as `ip neigh`
// does); ok is false when it has no usable entry.
func lookupNeigh(ifindex int, addr netip.Addr) (hw net.HardwareAddr, ok bool, err error) {
	body := make([]byte, unix.SizeofNdMsg)
	body[0] = unix.AF_INET
	binary.NativeEndian.PutUint32(body[4:], uint32(ifindex))
	msgs, err := netlinkRequest(unix.RTM_GETNEIGH, unix.NLM_F_DUMP, body)
	if err != nil {
		return nil, false, err
	}
	want := addr.As4()
	for _, m := range msgs {
		if len(m) < unix.SizeofNdMsg || int(int32(binary.NativeEndian.Uint32(m[4:]))) != ifindex ||
			binary.NativeEndian.Uint16(m[8:])&usableNeigh == 0 {
			continue
		}
		a := maps.Collect(netlink.Attrs(m[unix.SizeofNdMsg:]))
		if dst, ll := a[unix.NDA_DST], a[unix.NDA_LLADDR]; len(dst) == 4 && [4]byte(dst) == want && len(ll) > 0 {
			return net.HardwareAddr(append([]byte(nil), ll...)), true, nil
		}
	}
	return nil, false, nil
}

// netlinkRequest sends one rtnetlink request and returns the bodies of
// the messages answering it: one for a get, all of them for a dump.
func netlinkRequest(typ, flags uint16, body []byte) ([][]byte, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	// The kernel answers at once; the timeout only bounds a surprise.
	tv := unix.Timeval{Sec: 2}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, os.NewSyscallError("setsockopt", err)
	}
	msg := make([]byte, unix.SizeofNlMsghdr, unix.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(msg[0:], uint32(unix.SizeofNlMsghdr+len(body)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], flags|unix.NLM_F_REQUEST)
	binary.NativeEndian.PutUint32(msg[8:], 1) // sequence number
	msg = append(msg, body...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, os.NewSyscallError("sendto", err)
	}
	var out [][]byte
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, os.NewSyscallError("recvfrom", err)
		}
		for b := buf[:n]; len(b) >= unix.SizeofNlMsghdr; {
			l := int(binary.NativeEndian.Uint32(b))
			if l < unix.SizeofNlMsghdr || l > len(b) {
				return nil, errors.New("netlink: truncated message")
			}
			data := b[unix.SizeofNlMsghdr:l]
			switch binary.NativeEndian.Uint16(b[4:]) {
			case unix.NLMSG_DONE:
				return out, nil
			case unix.NLMSG_ERROR:
				if len(data) >= 4 {
					if e := int32(binary.NativeEndian.Uint32(data)); e != 0 {
						return nil, os.NewSyscallError("netlink", syscall.Errno(-e))
					}
				}
				return out, nil
			}
			out = append(out, append([]byte(nil), data...))
			if flags&unix.NLM_F_DUMP == 0 {
				return out, nil
			}
			b = b[min(netlink.Align(l), len(b)):]
		}
	}
}
