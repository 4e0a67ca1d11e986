// Package endpoint provides the stream (TCP, unix) and datagram (UDP,
// unixgram) test endpoints that the raw tools are aimed at: servers in the
// classic modes echo (RFC 862), discard (RFC 863), chargen (RFC 864),
// daytime (RFC 867) and a fixed reply, and the clients that talk to them —
// a netcat-like relay and an echo measurement that checks every byte.
//
// # Servers
//
// Listen opens the socket (a port of 0 gets one from the kernel: read it
// back with Addr) and Serve runs it until its context is cancelled. A
// stream server runs one goroutine per connection; a datagram server runs
// one read loop per socket. Limits on connections, idle time and message
// size come from Config. Shutdown is graceful: on cancel the server stops
// accepting (connections already queued by the kernel are still served),
// lets open connections finish for up to Config.Drain, then half-closes
// and closes what is left, so that nothing a client sent before the
// cancel is dropped unanswered while the client keeps reading.
//
// Other packages' tests use these servers as targets, for example a TCP
// listener inside a network namespace for TCP traceroute (call Listen from
// a goroutine locked to a thread in that namespace: the socket stays in the
// namespace it was made in), and ReserveClosedUDPPort for a port that is
// guaranteed closed.
//
// # Clients
//
// Dial returns a Conn, a net.Conn with an idle read timeout, byte counters
// and CloseWrite on every stream network. Relay copies standard input to
// the connection and the connection to standard output, half-closing on
// end of input and reading until the peer closes. EchoTest opens many
// connections, sends messages, checks every echoed byte and reports round
// trips per second, latency percentiles, mismatches and lost datagrams.
//
// The package depends only on the standard library and golang.org/x/sys,
// and it never prints: the rawkit command does the talking.
package endpoint
