package inject

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/byteorder"
)

// ARP resolution as scapy does it when the neighbour table has no entry:
// a request broadcast on the interface, answered within arpWait, tried
// arpTries times.
const (
	arpTries = 3
	arpWait  = time.Second
)

// linkAddrOf returns the link-layer address of hop, a neighbour on ifi:
// from the kernel's neighbour table, or else by asking with ARP from src.
func linkAddrOf(ifi *net.Interface, src, hop netip.Addr) (net.HardwareAddr, error) {
	hw, ok, err := lookupNeigh(ifi.Index, hop)
	if err != nil {
		return nil, &net.OpError{Op: "neighbour", Net: "ip4", Addr: &net.IPAddr{IP: hop.AsSlice()}, Err: err}
	}
	if ok {
		return hw, nil
	}
	return resolveARP(ifi, src, hop)
}

// resolveARP asks for hop's hardware address on ifi with ARP requests
// (RFC 826) and reads the replies on a packet socket (packet(7)) bound
// to the interface and to ARP.
func resolveARP(ifi *net.Interface, src, hop netip.Addr) (net.HardwareAddr, error) {
	if len(ifi.HardwareAddr) != 6 {
		return nil, fmt.Errorf("inject: cannot resolve %s on %s: ARP is for Ethernet addresses only", hop, ifi.Name)
	}
	f, err := openPacket(unix.ETH_P_ARP, ifi.Index)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	req := arpRequestFor(ifi.HardwareAddr, src, hop)
	bcast := &unix.SockaddrLinklayer{Protocol: byteorder.Htons(unix.ETH_P_ARP), Ifindex: ifi.Index, Halen: 6,
		Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	buf := make([]byte, 1500)
	for range arpTries {
		var serr error
		if err := rc.Write(func(fd uintptr) bool {
			serr = unix.Sendto(int(fd), req, 0, bcast)
			return serr != unix.EAGAIN
		}); err != nil {
			return nil, err
		}
		if serr != nil {
			return nil, &net.OpError{Op: "write", Net: "packet", Err: os.NewSyscallError("sendto", serr)}
		}
		if err := f.SetReadDeadline(time.Now().Add(arpWait)); err != nil {
			return nil, err
		}
		for {
			var n int
			var rerr error
			err := rc.Read(func(fd uintptr) bool {
				n, _, rerr = unix.Recvfrom(int(fd), buf, 0)
				return rerr != unix.EAGAIN
			})
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break // ask again
			}
			if err != nil {
				return nil, err
			}
			if rerr != nil {
				return nil, &net.OpError{Op: "read", Net: "packet", Err: os.NewSyscallError("recvfrom", rerr)}
			}
			if hw, ok := arpReplyFrom(buf[:n], hop); ok {
				return hw, nil
			}
		}
	}
	return nil, fmt.Errorf("inject: no ARP reply from %s on %s (%d requests, %v apart)", hop, ifi.Name, arpTries, arpWait)
}

// openPacket opens a non-blocking AF_PACKET SOCK_DGRAM socket for
// protocol proto (an ETH_P_ value; 0 receives nothing, packet(7)), bound
// to interface ifindex unless it is 0, as an *os.File in the runtime
// poller so that deadlines work.
func openPacket(proto uint16, ifindex int) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, int(byteorder.Htons(proto)))
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: "packet", Err: os.NewSyscallError("socket", err)}
	}
	if ifindex != 0 {
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: byteorder.Htons(proto), Ifindex: ifindex}); err != nil {
			unix.Close(fd)
			return nil, &net.OpError{Op: "listen", Net: "packet", Err: os.NewSyscallError("bind", err)}
		}
	}
	return os.NewFile(uintptr(fd), "packet"), nil
}
