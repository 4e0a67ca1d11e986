package raw

import (
	"errors"
	"net"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ListenIPv6 opens an IPv6 raw socket (SOCK_RAW, AF_INET6) for the next
// header protocol, 1 to 255: 58 ICMPv6, 6 TCP, 17 UDP, and so on. Writes
// carry what follows the IPv6 header and reads return it: the kernel
// never hands the IPv6 header to a raw socket (ipv6(7)), so
// Message.Header is nil and the hop limit, traffic class and destination
// come from control messages. On an ICMPv6 socket the kernel computes the
// ICMPv6 checksum of every sent message; for other protocols see
// SetChecksumOffset. With Config.HeaderIncluded (IPV6_HDRINCL, Linux 4.5
// and later), or protocol 255 (IPPROTO_RAW), the caller writes the whole
// packet, header first, and the kernel sends it as it is.
//
// Config.TTL is the hop limit (IPV6_UNICAST_HOPS and
// IPV6_MULTICAST_HOPS), Config.TOS the traffic class (IPV6_TCLASS),
// Config.DontFragment the path MTU discovery mode (IPV6_MTU_DISCOVER),
// Config.ICMP6Filter the ICMPv6 types received (ICMP6_FILTER), and
// Config.RecvErr queues errors (IPV6_RECVERR). Source may carry a zone.
// It needs CAP_NET_RAW; without it the error satisfies errors.Is(err,
// os.ErrPermission) and says what to do. Bad input, an IPv4 source
// among it, satisfies errors.Is(err, os.ErrInvalid).
func ListenIPv6(protocol int, cfg *Config) (*Conn, error) {
	if err := cfg.validate6(protocol, false); err != nil {
		return nil, err
	}
	return listen(inet6, unix.SOCK_RAW, protocol, false, cfg)
}

// ListenPing6 opens an ICMPv6 ping socket (SOCK_DGRAM, IPPROTO_ICMPV6):
// it sends echo requests and receives their replies, without
// CAP_NET_RAW but only for groups in net.ipv4.ping_group_range, which
// covers IPv6 too (icmp(7)). The kernel sets the echo identifier to the
// socket's LocalPort and computes the checksum. With Config.RecvErr the
// ICMPv6 errors the requests cause come back as Messages with ExtErr
// (origin ErrOriginICMP6).
func ListenPing6(cfg *Config) (*Conn, error) {
	if err := cfg.validate6(protocolICMPv6, true); err != nil {
		return nil, err
	}
	return listen(inet6, unix.SOCK_DGRAM, protocolICMPv6, true, cfg)
}

// configure6 is configure for IPv6 sockets (ipv6(7), icmp6(7)).
func (s *sockopts) configure6(cfg *Config, ping bool) {
	if len(cfg.Filter) > 0 {
		s.attachBPF(cfg.Filter)
	}
	if cfg.ICMP6Filter != nil && s.err == nil {
		// struct icmp6_filter is eight 32-bit words, bit set = type
		// blocked; ipv6.ICMPFilter has that layout on Linux.
		err := unix.SetsockoptString(s.fd, unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER,
			unsafe.String((*byte)(unsafe.Pointer(cfg.ICMP6Filter)), unsafe.Sizeof(*cfg.ICMP6Filter)))
		if err != nil {
			s.err = os.NewSyscallError("setsockopt ICMP6_FILTER", err)
		}
	}
	s.bindToDevice(cfg.Interface)
	if cfg.HeaderIncluded && !ping {
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_HDRINCL, "IPV6_HDRINCL", 1, hintRaw)
	}
	if cfg.TTL != 0 {
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", cfg.TTL, "")
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", cfg.TTL, "")
	}
	if cfg.TOS != 0 {
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_TCLASS, "IPV6_TCLASS", cfg.TOS, "")
	}
	if cfg.DontFragment != DFDefault {
		// IPV6_PMTUDISC_* have the values of IP_PMTUDISC_* (ipv6(7)).
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER", pmtudisc(cfg.DontFragment), "")
	}
	if cfg.ReceiveBuffer > 0 {
		s.setReceiveBuffer(cfg.ReceiveBuffer)
	}
	if cfg.Timestamps {
		s.setInt(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, "SO_TIMESTAMPNS", 1, "")
	}
	if cfg.DropCount {
		s.setInt(unix.SOL_SOCKET, unix.SO_RXQ_OVFL, "SO_RXQ_OVFL", 1, "")
	}
	if cfg.RecvErr {
		s.setInt(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, "IPV6_RECVERR", 1, "")
	}
	if cfg.SendStamps {
		s.setSendStamps()
	}
	if cfg.Mark != 0 {
		s.setInt(unix.SOL_SOCKET, unix.SO_MARK, "SO_MARK", int(cfg.Mark), hintAdmin)
	}
	// No header reaches the reader (ipv6(7)): destination, interface,
	// hop limit and traffic class come as control messages.
	s.setInt(unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO", 1, "")
	s.setInt(unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT", 1, "")
	s.setInt(unix.IPPROTO_IPV6, unix.IPV6_RECVTCLASS, "IPV6_RECVTCLASS", 1, "")
}

func (s *sockopts) bindToDevice(name string) {
	if name == "" || s.err != nil {
		return
	}
	if err := unix.BindToDevice(s.fd, name); err != nil {
		if errors.Is(err, unix.ENODEV) {
			s.err = inputErrorf("unknown interface %q", name)
		} else {
			s.err = withHint(os.NewSyscallError("setsockopt SO_BINDTODEVICE", err), hintRaw)
		}
	}
}

// bind6 is bind for IPv6: a zone on the source is its scope id. A ping
// socket is always bound, so that LocalPort is known from the start.
func (s *sockopts) bind6(cfg *Config, ping bool) {
	if s.err != nil || (!ping && !cfg.Source.IsValid()) {
		return
	}
	sa := &unix.SockaddrInet6{}
	if cfg.Source.IsValid() {
		sa.Addr = cfg.Source.As16()
		if z := cfg.Source.Zone(); z != "" {
			ifi, err := net.InterfaceByName(z)
			if err != nil {
				s.err = inputErrorf("unknown zone %q in source address %s", z, cfg.Source)
				return
			}
			sa.ZoneId = uint32(ifi.Index)
		}
	}
	if err := unix.Bind(s.fd, sa); err != nil {
		if errors.Is(err, unix.EADDRNOTAVAIL) {
			s.err = inputErrorf("source address %s is not an address of this host", cfg.Source)
			return
		}
		s.err = os.NewSyscallError("bind", err)
	}
}

// SetChecksumOffset asks the kernel to compute the checksum of every
// packet sent on an IPv6 raw socket, at offset bytes into the payload,
// with the IPv6 pseudo-header, and to check it on every packet received
// (IPV6_CHECKSUM, raw(7), RFC 3542 3.1): 6 for UDP, 16 for TCP. -1 turns
// it off. ICMPv6 sockets always have it, at 2.
func (c *Conn) SetChecksumOffset(offset int) error {
	if !c.v6 || c.ping {
		return inputErrorf("checksum offset needs an IPv6 raw socket, not %s", c.network)
	}
	if offset < -1 || offset > maxPacket-2 || offset%2 != 0 && offset != -1 {
		return inputErrorf("checksum offset %d: want -1 or an even offset", offset)
	}
	var err error
	cerr := c.rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, offset)
	})
	if err == nil {
		err = cerr
	}
	return c.opError(opSet, os.NewSyscallError("setsockopt IPV6_CHECKSUM", err))
}

func sourceAddr6(cfg *Config) net.Addr {
	if cfg == nil || !cfg.Source.IsValid() {
		return nil
	}
	return &net.IPAddr{IP: cfg.Source.AsSlice(), Zone: cfg.Source.Zone()}
}
