//go:build privileged

package inject

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/rawkit/rawkit/craft/spec"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestSendersShareTheWork: with several sockets every packet still goes
// out Count times, as B's capture counts them, and --wait semantics hold.
func TestSendersShareTheWork(t *testing.T) {
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	var pkts []spec.Packet
	if err := p.A.Do(func() (err error) {
		pkts, err = Parse("ip(dst=10.0.0.2)/icmp(id=4242, seq=[1,2,3])", "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s := netlabtest.Sniff(t, p.B, p.BIf, "src host 10.0.0.1 and icmp[icmptype] = icmp-echo")
	var sess *Session
	if err := p.A.Do(func() (err error) {
		sess, err = Open(pkts, &Config{Count: 700, Senders: 3, Wait: 2e9})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if len(sess.send) != 3 {
		t.Fatalf("%d sending sockets, want 3", len(sess.send))
	}
	res, err := sess.Run(context.Background())
	if err != nil || res.Sent != 2100 {
		t.Fatalf("sent %d of 2100: %v", res.Sent, err)
	}
	seqs := map[uint16]int{}
	for _, c := range s.Stop() {
		b := c.IPv4()
		if len(b) < 28 || binary.BigEndian.Uint16(b[24:]) != 4242 {
			continue
		}
		seqs[binary.BigEndian.Uint16(b[26:])]++
	}
	if seqs[1] != 700 || seqs[2] != 700 || seqs[3] != 700 || len(seqs) != 3 {
		t.Errorf("captured sequence numbers %v, want 700 each of 1, 2, 3", seqs)
	}
	per := map[int]int{}
	for _, a := range res.Answers {
		per[a.Index]++
	}
	if per[0] < 600 || per[1] < 600 || per[2] < 600 {
		t.Errorf("answers per packet %v, want about 700 each", per)
	}
}
