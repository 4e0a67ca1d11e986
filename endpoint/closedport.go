package endpoint

import (
	"context"
	"net"
)

// ClosedPort is a UDP port that is guaranteed closed: nothing else can
// bind it while it is held, and datagrams sent to it are answered by the
// kernel with ICMP port unreachable. It is the target for UDP probes
// (traceroute's last hop) that must find a closed port.
//
// The port is held by a socket connected to its own address: udp(7)
// delivers to a connected socket only datagrams from its peer, so any
// other sender finds no socket and gets the ICMP error.
type ClosedPort struct {
	c *net.UDPConn
}

// ReserveClosedUDPPort holds a closed UDP port on host (an IP address;
// network is udp, udp4 or udp6).
func ReserveClosedUDPPort(ctx context.Context, network, host string) (*ClosedPort, error) {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, network, net.JoinHostPort(host, "0"))
	if err != nil {
		return nil, err
	}
	c := pc.(*net.UDPConn)
	rc, err := c.SyscallConn()
	if err != nil {
		c.Close()
		return nil, err
	}
	var cerr error
	if err := rc.Control(func(fd uintptr) { cerr = connectSelf(fd) }); err != nil || cerr != nil {
		c.Close()
		if err == nil {
			err = cerr
		}
		return nil, &net.OpError{Op: "connect", Net: network, Source: c.LocalAddr(), Err: err}
	}
	return &ClosedPort{c: c}, nil
}

// Addr returns the closed port's address.
func (p *ClosedPort) Addr() *net.UDPAddr { return p.c.LocalAddr().(*net.UDPAddr) }

// Close releases the port.
func (p *ClosedPort) Close() error { return p.c.Close() }
