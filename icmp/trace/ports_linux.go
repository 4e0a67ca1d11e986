package trace

import (
	"errors"
	"fmt"
	"net/netip"
)

// reserveProbePorts holds one source port per probe for classic TCP
// traces: n TCP sockets bound to free ports of src (port 0: the kernel
// picks each from ip_local_port_range, never one in use, ip(7)). As
// with reservePort, the sockets never listen, so they accept nothing and
// the kernel answers each SYN-ACK with a RST; and no other socket of the
// host can take the ports while the trace runs, so a probe never shares
// a flow with a real connection. This is what traceroute -T does, one
// bound socket per probe, done once for the whole trace.
//
// The ports come back in the order the kernel gave them; the closer
// releases them all.
func reserveProbePorts(src netip.Addr, n int) ([]uint16, interface{ Close() error }, error) {
	ports := make([]uint16, 0, n)
	held := make(portHolders, 0, n)
	for range n {
		port, c, err := reservePort(MethodTCP, src)
		if err != nil {
			held.Close()
			return nil, nil, fmt.Errorf("icmp: %d source ports for classic TCP probes: %w", n, err)
		}
		ports, held = append(ports, port), append(held, c)
	}
	return ports, held, nil
}

// portHolders closes a set of reserved ports.
type portHolders []interface{ Close() error }

func (h portHolders) Close() error {
	var errs []error
	for _, c := range h {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// reserveClassicPorts gives a classic TCP trace its per-probe source
// ports (prober.sports), at most 255 TTLs of MaxQueries probes; other
// traces keep the one port of reservePort. New calls it once the
// prober has its source address.
func (t *Path) reserveClassicPorts() error {
	if t.s.Method != MethodTCP || !t.s.Classic {
		return nil
	}
	n := (t.s.MaxTTL - t.s.FirstTTL + 1) * t.s.Queries
	ports, c, err := reserveProbePorts(t.pr.src, n)
	if err != nil {
		return err
	}
	t.closers = append(t.closers, c)
	t.pr.sports = ports
	return nil
}
