// Package sockaddr converts addresses between net/netip and the kernel's
// socket addresses (golang.org/x/sys/unix), zones included: the one copy
// the echo and path engines share for the UDP sockets they connect, and
// never send on, to ask the kernel about a route.
package sockaddr
