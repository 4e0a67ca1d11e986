// Package filter compiles tcpdump's filter language (pcap-filter(7)) to
// classic BPF and runs the programs in user space, in pure Go: no cgo, no
// libpcap.
//
// Compile and CompileRaw give the program for packets of a link type,
// for a socket (SO_ATTACH_FILTER) or any other BPF runner; CompileDgram
// gives it for a SOCK_DGRAM packet socket, which sees no link header. A
// Filter (New, or Load for a program compiled elsewhere) runs a program
// over packets as the kernel would: it is how a filter applies to packets
// read from a file. Live capture and capture files are package capture's
// job; it attaches these programs to its sockets.
//
// Programs are optimised as libpcap's are (redundant loads and decided
// tests removed, equal blocks merged, runs of hosts and ports in an "or"
// chain compiled together), without changing what any packet gets,
// truncated ones included; a list of 200 hosts fits the kernel's limit.
//
// IPv6 transport primitives (ports, tcp[...], protochain) walk up to a
// fixed number of extension headers, where libpcap looks only right after
// the fixed header.
//
// Errors keep the "capture:" prefix they had when the compiler was part of
// package capture, so that the messages rawkit capture prints are
// unchanged. Syntax errors are *SyntaxError, which gives the position of
// the fault.
package filter
