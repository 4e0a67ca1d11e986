package echo

import (
	"github.com/rawkit/rawkit/icmp"

	"net/netip"
	"time"
)

// EventKind says what happened to a probe.
type EventKind uint8

const (
	_              EventKind = iota
	EventSent                // an echo request was written
	EventReply               // its first reply came back
	EventDuplicate           // another reply to a probe already answered
	EventLost                // its deadline passed, or the run ended, without a reply
	EventError               // an ICMP error quoting it came back
	EventSendError           // writing it failed; Err says why
)

var kindNames = [...]string{"", "sent", "reply", "duplicate", "lost", "error", "send-error"}

func (k EventKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one thing that happened to one probe. The engine reuses the
// value it passes to the handler: copy what you keep.
type Event struct {
	Kind   EventKind
	Target int        // index of the target in the run's list
	Dst    netip.Addr // the target's address
	Seq    uint16     // the ICMP sequence number on the wire
	Probe  int        // the target's own probe count, from 1
	From   netip.Addr // sender of a reply or an ICMP error
	Bytes  int        // ICMP length of a reply (header and payload), iputils' "64 bytes"
	TTL    int        // IP TTL of a reply or error; -1 when unknown
	RTT    time.Duration
	// Time is when it happened: the send time of EventSent, the kernel's
	// receive time of a reply or error, the deadline of EventLost.
	Time time.Time
	// Late marks a reply that came after its probe had been counted lost.
	Late bool
	// Unanswered is set on EventSent when the target's previous probe has
	// had no reply yet (what iputils -O reports).
	Unanswered bool
	// ICMP is the error message, for EventError.
	ICMP icmp.Error
	// WrongByte is, on a reply or duplicate whose payload differs from
	// the fill sent (iputils' "wrong data byte"), the offset in the
	// payload of the first byte that differs; 0 otherwise. Payload is
	// then the reply's payload, valid only during the Handler call.
	WrongByte int
	Payload   []byte
	// Err is the write error, for EventSendError.
	Err error
}
