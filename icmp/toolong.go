package icmp

import "fmt"

// MessageTooLongError is a write the local stack refused because the
// request does not fit the path MTU and may not be fragmented (EMSGSIZE
// with IP_PMTUDISC_DO, ip(7); a learned path MTU counts too). The echo engine
// counts such a probe as an error, as iputils counts the local error it
// reads from its error queue. It matches syscall.EMSGSIZE.
type MessageTooLongError struct {
	// MTU is the path MTU the kernel holds for the destination (what
	// IP_MTU or IPV6_MTU reads on a socket connected to it); 0 when it
	// could not be read.
	MTU int
	// Err is the write's error.
	Err error
}

func (e *MessageTooLongError) Error() string {
	return fmt.Sprintf("%v (path MTU %d)", e.Err, e.MTU)
}

func (e *MessageTooLongError) Unwrap() error { return e.Err }
