// iputils' words for ICMP errors and local errors, in its order of cases.

package ping

import (
	"fmt"
	"net/netip"

	"github.com/rawkit/rawkit/icmp"
)

// errorText is iputils' description of an ICMP error (ping.c pr_icmph).
func errorText(e *icmp.Error) string {
	if e.IPv6 {
		return errorText6(e)
	}
	switch e.Type {
	case icmp.TypeDestUnreach:
		if e.Code < len(unreachText) && unreachText[e.Code] != "" {
			if e.Code == 4 {
				return fmt.Sprintf("Frag needed and DF set (mtu = %d)", e.MTU)
			}
			return unreachText[e.Code]
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", e.Code)
	case icmp.TypeSourceQuench:
		return "Source Quench"
	case icmp.TypeRedirect:
		var s string
		switch e.Code {
		case 0:
			s = "Redirect Network"
		case 1:
			s = "Redirect Host"
		case 2:
			s = "Redirect Type of Service and Network"
		case 3:
			s = "Redirect Type of Service and Host"
		default:
			s = fmt.Sprintf("Redirect, Bad Code: %d", e.Code)
		}
		return fmt.Sprintf("%s(New nexthop: %s)", s, e.Gateway)
	case icmp.TypeTimeExceeded:
		switch e.Code {
		case 0:
			return "Time to live exceeded"
		case 1:
			return "Frag reassembly time exceeded"
		}
		return fmt.Sprintf("Time exceeded, Bad Code: %d", e.Code)
	case icmp.TypeParameterProb:
		return fmt.Sprintf("Parameter problem: pointer = %d", e.Pointer)
	}
	return fmt.Sprintf("Bad ICMP type: %d", e.Type)
}

var unreachText = [...]string{
	"Destination Net Unreachable",
	"Destination Host Unreachable",
	"Destination Protocol Unreachable",
	"Destination Port Unreachable",
	"Frag needed and DF set",
	"Source Route Failed",
	"Destination Net Unknown",
	"Destination Host Unknown",
	"Source Host Isolated",
	"Destination Net Prohibited",
	"Destination Host Prohibited",
	"Destination Net Unreachable for Type of Service",
	"Destination Host Unreachable for Type of Service",
	"Packet filtered",
	"Precedence Violation",
	"Precedence Cutoff",
}

// errorText6 is iputils' description of an ICMPv6 error
// (ping6_common.c print_icmp).
func errorText6(e *icmp.Error) string {
	switch e.Type {
	case icmp.TypeDestUnreachV6:
		if e.Code < len(unreachText6) && unreachText6[e.Code] != "" {
			return "Destination unreachable: " + unreachText6[e.Code]
		}
		return fmt.Sprintf("Destination unreachable: Unknown code %d", e.Code)
	case icmp.TypePacketTooBigV6:
		s := fmt.Sprintf("Packet too big: mtu=%d", e.MTU)
		if e.Code != 0 {
			s += fmt.Sprintf(", code=%d", e.Code)
		}
		return s
	case icmp.TypeTimeExceededV6:
		switch e.Code {
		case 0:
			return "Time exceeded: Hop limit"
		case 1:
			return "Time exceeded: Defragmentation failure"
		}
		return fmt.Sprintf("Time exceeded: code %d", e.Code)
	case icmp.TypeParameterProbV6:
		s := "Parameter problem: "
		switch e.Code {
		case 0:
			s += "Wrong header field "
		case 1:
			s += "Unknown header "
		case 2:
			s += "Unknown option "
		default:
			s += fmt.Sprintf("code %d ", e.Code)
		}
		return s + fmt.Sprintf("at %d", e.Pointer)
	}
	return fmt.Sprintf("ICMP type %d, code %d", e.Type, e.Code)
}

var unreachText6 = [...]string{
	"No route",
	"Administratively prohibited",
	"Beyond scope of source address",
	"Address unreachable",
	"Port unreachable",
}

// localErrorText is iputils' line for a request the local stack refused
// as too long: "mtu=" for IPv4 (ping.c), "mtu: " for IPv6 (ping6_common.c).
func localErrorText(dst netip.Addr, mtu int) string {
	if dst.Unmap().Is6() {
		return fmt.Sprintf("local error: message too long, mtu: %d", mtu)
	}
	return fmt.Sprintf("local error: message too long, mtu=%d", mtu)
}
