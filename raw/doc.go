// Package raw opens and drives kernel sockets below the transport layer:
// IPv4 SOCK_RAW for any protocol, in payload mode and header-included mode
// (IP_HDRINCL), and the unprivileged ICMP ping socket (SOCK_DGRAM,
// IPPROTO_ICMP).
//
// Sockets are created non-blocking and close-on-exec, their options are set
// before any packet can be queued, and they are then handed to the standard
// library so that the runtime poller provides deadlines. Reads report where
// each packet came from, its TTL, the interface and the kernel's receive time.
//
// raw knows nothing of packets' contents: building and decoding them is
// package craft's job.
package raw
