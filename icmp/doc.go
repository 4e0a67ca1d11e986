// Package icmp holds what rawkit's two ICMP engines share: the parsing of
// ICMP and ICMPv6 error messages and of the datagrams they quote, so that
// an error is matched to its probe in one way only, the message types
// both read or write, the received [Message] both read into, and the
// [MessageTooLongError] of a write the local stack refused.
//
// The engines live in packages of their own: icmp/echo is the echo engine
// behind `rawkit ping` and its sweeps, icmp/trace the path engine behind
// `rawkit traceroute`. Their tests, and those of the commands, share the
// in-memory socket of icmp/icmptest.
//
// ICMP errors (destination unreachable, time exceeded, ...) are matched to
// their probe through the datagram they quote; see [ParseError] and
// [Quote]. Over IPv6, ICMPv6 errors (destination unreachable, packet too
// big, time exceeded, parameter problem) are parsed by [ParseError6],
// whose [Quote] walks the quoted datagram's extension headers; both
// engines match them through [ParseErrorFor] as they match ICMP errors.
//
// The package never prints. Inside it and the engines,
// golang.org/x/net/icmp is imported as xicmp.
package icmp
