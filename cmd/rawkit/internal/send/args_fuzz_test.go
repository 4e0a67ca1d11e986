package send

import (
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// FuzzArgs: any command line after --dry-run ends in status 0, 1 or 2
// (with one line on stderr, and where a spec is wrong the caret under
// it), never a panic. send has no fake socket, so
// --dry-run, which sends nothing, comes first; it runs in a temporary
// directory for the files -w writes.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{"ip(dst=127.0.0.1)/icmp()", "-c\x003\x00--rate\x00NaN\x00ip(dst=127.0.0.1)/udp(dport=53)",
		"ip(dst=10.0.0.0/30, ttl=1-3)/tcp(dport=[22,80])\x00--show\x00--hex", "-w\x00out.pcap\x00ip6(dst=::1)/icmp6()",
		"-i\x000.5\x00--wait=1s\x00ip(ihl=2)/raw(size=3)"} {
		f.Add(s)
	}
	send := New(&Env{DropPrivileges: func() error { return nil }})
	f.Fuzz(func(t *testing.T, s string) {
		t.Chdir(t.TempDir())
		clitest.FuzzArgsSpec(t, send, "--dry-run\x00"+s)
	})
}
