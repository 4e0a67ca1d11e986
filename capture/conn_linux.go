//go:build linux

package capture

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Conn is a live capture on one interface or on all of them: an AF_PACKET
// socket with a TPACKET_V3 receive ring (packet(7)) that the kernel fills
// and the reader walks without a system call per packet. The socket is
// non-blocking and registered with the runtime poller, so reads honour
// deadlines and contexts and Close unblocks them.
type Conn struct {
	addr    *Addr
	file    *os.File
	rc      syscall.RawConn
	link    LinkType
	dgram   bool // SOCK_DGRAM ("any"): packets get a LINUX_SLL2 header
	snapLen int
	tov     time.Duration

	ring      []byte
	blockSize int
	blockNr   int

	readMu sync.Mutex // one reader at a time; Close waits for it before unmapping
	closed atomic.Bool
	cur    ringCursor // reader state, under readMu

	statsMu sync.Mutex
	stats   Stats // accumulated: the kernel resets its counters on each read
}

// Listen opens a capture on the named interface in the current network
// namespace; "any" or "" captures on all of them. Packets on Ethernet and
// loopback interfaces keep their link header (LinkEthernet); on "any" and
// on interfaces without an Ethernet header they get a LINUX_SLL2 header.
// Listening needs CAP_NET_RAW.
func Listen(ifname string, cfg *Config) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := &Conn{addr: &Addr{Interface: ifname}, snapLen: cfg.SnapLen, tov: cfg.BlockTimeout}
	if ifname == "" {
		c.addr.Interface = "any"
	}
	if c.snapLen <= 0 {
		c.snapLen = DefaultSnapLen
	}
	if c.tov <= 0 {
		c.tov = defaultBlockTimeout
	}
	ifindex, loIndex, err := c.resolve(ifname, cfg)
	if err != nil {
		return nil, err
	}
	prog, err := c.kernelFilter(cfg.Filter, ifindex, loIndex)
	if err != nil {
		return nil, err
	}
	typ := unix.SOCK_RAW
	if c.dgram {
		typ = unix.SOCK_DGRAM
	}
	// Protocol 0: the socket receives nothing until bind(2) names one, so
	// the filter is in place before the first packet is queued.
	fd, err := unix.Socket(unix.AF_PACKET, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, c.opError("listen", os.NewSyscallError("socket", err))
	}
	if err := c.setup(fd, ifindex, prog, cfg); err != nil {
		if c.ring != nil {
			_ = unix.Munmap(c.ring)
		}
		_ = unix.Close(fd)
		return nil, err
	}
	c.file = os.NewFile(uintptr(fd), "packet:"+c.addr.Interface)
	rc, err := c.file.SyscallConn()
	if err != nil {
		_ = c.file.Close()
		_ = unix.Munmap(c.ring)
		return nil, c.opError("listen", err)
	}
	c.rc = rc
	return c, nil
}

// resolve finds the interface, its link type, and the loopback interface
// whose arriving copies must be skipped.
func (c *Conn) resolve(ifname string, cfg *Config) (ifindex, loIndex int, err error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0, 0, c.opError("listen", err)
	}
	for _, ifi := range ifs {
		if ifi.Flags&net.FlagLoopback != 0 && loIndex == 0 {
			loIndex = ifi.Index
		}
	}
	if ifname == "" || ifname == "any" {
		if cfg.Promiscuous {
			return 0, 0, c.opError("listen", errors.New("promiscuous mode is not supported on \"any\""))
		}
		c.dgram, c.link = true, LinkLinuxSLL2
		return 0, loIndex, nil
	}
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return 0, 0, c.opError("listen", fmt.Errorf("no such interface %q", ifname))
	}
	hatype, err := arphrd(ifname)
	if err != nil {
		return 0, 0, c.opError("listen", err)
	}
	switch hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		c.link = LinkEthernet // Linux loopback carries an Ethernet header of zeros
	default:
		c.dgram, c.link = true, LinkLinuxSLL2
	}
	if ifi.Index != loIndex {
		loIndex = 0
	}
	return ifi.Index, loIndex, nil
}

// arphrd reads the interface's hardware type (SIOCGIFHWADDR, netdevice(7)).
func arphrd(ifname string) (uint16, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(ifname)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		return 0, os.NewSyscallError("ioctl SIOCGIFHWADDR", err)
	}
	return ifr.Uint16(), nil
}

// LinkType is the link type of the packets this capture returns.
func (c *Conn) LinkType() LinkType { return c.link }

// SnapLen is the number of bytes kept of each packet.
func (c *Conn) SnapLen() int { return c.snapLen }

// Addr is the capture's interface.
func (c *Conn) Addr() net.Addr { return c.addr }

// Stats returns the kernel's counts since the capture was opened.
func (c *Conn) Stats() (Stats, error) {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	var st *unix.TpacketStatsV3
	var serr error
	err := c.rc.Control(func(fd uintptr) {
		st, serr = unix.GetsockoptTpacketStatsV3(int(fd), unix.SOL_PACKET, unix.PACKET_STATISTICS)
	})
	if err == nil && serr != nil {
		err = os.NewSyscallError("getsockopt PACKET_STATISTICS", serr)
	}
	if err != nil {
		return c.stats, c.opError("stats", err)
	}
	c.stats.Received += uint64(st.Packets)
	c.stats.Dropped += uint64(st.Drops)
	return c.stats, nil
}

// SyscallConn gives access to the socket, for options capture does not set.
func (c *Conn) SyscallConn() (syscall.RawConn, error) { return c.rc, nil }

// SetReadDeadline sets the deadline for reads; the zero time means none.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return c.opError("set", c.file.SetReadDeadline(t))
}

// Close closes the socket, unblocking any read, and unmaps the ring. Data
// returned by earlier reads must not be used afterwards.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return c.opError("close", net.ErrClosed)
	}
	err := c.file.Close()
	c.readMu.Lock() // wait for a reader to leave the ring
	defer c.readMu.Unlock()
	if merr := unix.Munmap(c.ring); err == nil && merr != nil {
		err = os.NewSyscallError("munmap", merr)
	}
	return c.opError("close", err)
}
