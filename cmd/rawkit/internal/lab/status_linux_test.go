package lab

import (
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// TestLabStatus: status reads the state file lab up wrote, in the state
// directory its Env names, and needs no root.
func TestLabStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The MPLS answers need a live holder: a process whose command line
	// reads as `rawkit lab hold` stands in for it.
	holder := exec.Command("sh", "-c", "sleep 60; :", "lab", "hold")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	st := &labState{Name: "s1", Prefix: "rklab-s1-", Holder: holder.Process.Pid, Nodes: []labNode{
		{Role: "client", NS: "rklab-s1-client", Addr: netip.MustParseAddr("10.0.1.1")},
		{Role: "r1", NS: "rklab-s1-r1", Addr: netip.MustParseAddr("10.0.1.2"), Ifaces: []string{"eth0", "eth1"}, MPLS: []uint32{100, 200}},
		{Role: "server", NS: "rklab-s1-server", Addr: netip.MustParseAddr("10.0.2.2")},
	}}
	if err := store(dir).write(st); err != nil {
		t.Fatal(err)
	}
	c := New(&Env{Dir: dir})
	code, out, errOut := clitest.Run(t, c, "status", "--name", "s1")
	want := "client  10.0.1.1     rklab-s1-client\n" +
		"r1      10.0.1.2     rklab-s1-r1  (MPLS 100/200)\n" +
		"server  10.0.2.2     rklab-s1-server\n"
	if code != cli.ExitOK || out != want || errOut != "" {
		t.Errorf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, want)
	}
	code, out, errOut = clitest.Run(t, c, "status", "--name", "s2")
	if code != cli.ExitError || out != "" || errOut != "rawkit lab: no lab \"s2\" is up (run 'rawkit lab up')\n" {
		t.Errorf("no such lab: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestLabStatusDeadHolder: a lab whose delay needs the hold process,
// and whose holder is gone, is reported broken (status 2, one line
// naming the pid) rather than listed as if its traffic flowed.
func TestLabStatusDeadHolder(t *testing.T) {
	t.Parallel()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	pid := dead.Process.Pid // reaped: no process has it now, most likely
	dir := t.TempDir()
	st := &labState{Name: "d1", Prefix: "rklab-d1-", Delay: 10 * time.Millisecond, Holder: pid, Nodes: []labNode{
		{Role: "client", NS: "rklab-d1-client", Addr: netip.MustParseAddr("10.0.1.1")},
	}}
	if err := store(dir).write(st); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := clitest.Run(t, New(&Env{Dir: dir}), "status", "--name", "d1")
	if code != cli.ExitError || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "pid "+strconv.Itoa(pid)+") is not running") {
		t.Errorf("exit %d, stderr %q; want 2 and one line on the dead holder", code, errOut)
	}
}
