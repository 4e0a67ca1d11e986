package capture

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// ErrNotImplemented is returned by live capture on platforms other than
// Linux. Filters and files work everywhere.
var ErrNotImplemented = errors.New("capture: not implemented on this platform")

// Config tunes a live capture. A nil *Config means all defaults.
type Config struct {
	// SnapLen is how many bytes of each packet are kept; 0 means
	// DefaultSnapLen (262144, tcpdump's default).
	SnapLen int

	// Promiscuous puts the interface into promiscuous mode for as long as
	// the capture is open (PACKET_MR_PROMISC, packet(7)); the kernel
	// drops the membership when the socket closes. Not valid on "any".
	Promiscuous bool

	// Filter is a tcpdump filter expression (pcap-filter(7)) attached in
	// the kernel before the socket is bound, so that no packet it rejects
	// is ever queued. Empty means every packet.
	Filter string

	// BufferSize is the size of the receive ring shared with the kernel;
	// 0 means 32 MiB. Packets arriving while it is full are dropped and
	// counted in Stats.Dropped.
	BufferSize int

	// BlockTimeout is the longest a packet waits in a partly filled ring
	// block before the kernel hands the block over; 0 means 50ms.
	BlockTimeout time.Duration
}

const (
	defaultBufferSize   = 32 << 20
	defaultBlockTimeout = 50 * time.Millisecond
)

// Stats are the kernel's counts for a capture since it was opened
// (PACKET_STATISTICS, packet(7)): what tcpdump reports as "received by
// filter" and "dropped by kernel".
type Stats struct {
	Received uint64 // packets that passed the filter, including those dropped
	Dropped  uint64 // packets dropped because the ring was full
}

const network = "packet"

// Addr is the address of a capture: its interface name ("any" for all).
type Addr struct{ Interface string }

// Network returns "packet".
func (a *Addr) Network() string { return network }

func (a *Addr) String() string { return a.Interface }

var (
	_ syscall.Conn = (*Conn)(nil)
	_ net.Addr     = (*Addr)(nil)
)

func (c *Conn) opError(op string, err error) error {
	if err == nil {
		return nil
	}
	return &net.OpError{Op: op, Net: network, Addr: c.addr, Err: err}
}
