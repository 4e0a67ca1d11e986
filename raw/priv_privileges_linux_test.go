//go:build privileged

package raw

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
	"golang.org/x/sys/unix"
)

// childEnv selects, in a test binary started by runChild, the body of
// the test to run instead of its set-up.
const childEnv = "RAWKIT_RAW_CHILD"

// TestUnprivilegedGetsPermissionError: user nobody cannot open raw or
// ping sockets and is told what to do.
func TestUnprivilegedGetsPermissionError(t *testing.T) {
	if netlabtest.AsNobody() {
		for _, tt := range []struct {
			name string
			open func() (*Conn, error)
			want []string
		}{
			{"raw icmp", func() (*Conn, error) { return ListenIPv4(1, nil) }, []string{"sudo", "setcap cap_net_raw+ep"}},
			{"header included", func() (*Conn, error) { return ListenIPv4(255, &Config{HeaderIncluded: true}) }, []string{"root", "setcap cap_net_raw+ep"}},
			{"ping", func() (*Conn, error) { return ListenPing(nil) }, []string{"net.ipv4.ping_group_range", "setcap cap_net_raw+ep"}},
		} {
			c, err := tt.open()
			if err == nil {
				c.Close()
				t.Fatalf("%s: opened as nobody", tt.name)
			}
			if !errors.Is(err, os.ErrPermission) {
				t.Errorf("%s: errors.Is(%v, os.ErrPermission) = false", tt.name, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not say %q", tt.name, err, w)
				}
			}
		}
		return
	}
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	if err := h.Sysctl("net.ipv4.ping_group_range", "1 0"); err != nil { // nobody's group outside
		t.Fatal(err)
	}
	if out, err := netlabtest.RunAsNobody(t, h, t.Name()); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// runChild runs test again in a new process of bin inside h's namespace,
// with the given credential (nil: as this process), ambient capabilities
// and environment, and fails t unless the child's test passed.
func runChild(t *testing.T, h *netlab.Host, bin, test string, cred *syscall.Credential, ambient []uintptr, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run=^"+test+"$", "-test.count=1", "-test.v=true")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUDO_") && !strings.HasPrefix(kv, "GOCOVERDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, AmbientCaps: ambient, Pdeathsig: syscall.SIGKILL}
	if err := h.Do(cmd.Start); err != nil { // forked inside: starts in h's namespace
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil || !strings.Contains(out.String(), "--- PASS: "+test+" ") {
		t.Fatalf("child %s: %v\n%s", test, err, out.Bytes())
	}
}

// afterDrop is the child's body: open, drop, check nothing is left, open
// nothing more, and still ping the peer with the socket opened before.
func afterDrop(t *testing.T) {
	peer := os.Getenv("RAWKIT_RAW_PEER")
	c, err := ListenIPv4(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := DropPrivileges(); err != nil {
		t.Fatalf("DropPrivileges: %v", err)
	}
	st, err := readCaps("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if st["CapEff"] != 0 || st["CapPrm"] != 0 || st["CapAmb"] != 0 || st["CapInh"] != 0 {
		t.Errorf("after DropPrivileges: CapEff %x CapPrm %x CapAmb %x CapInh %x, want all 0", st["CapEff"], st["CapPrm"], st["CapAmb"], st["CapInh"])
	}
	if os.Getenv("RAWKIT_RAW_WANT_NNP") != "" {
		status, _ := os.ReadFile("/proc/self/status")
		if !strings.Contains(string(status), "NoNewPrivs:\t1") {
			t.Error("no_new_privs not set after DropPrivileges")
		}
	}
	if os.Getenv("RAWKIT_RAW_WANT_EXEC_NO_CAPS") != "" {
		// What no_new_privs is for: a program run now, even by root,
		// starts with no capability.
		out, err := exec.Command("/bin/cat", "/proc/self/status").Output()
		if err != nil {
			t.Fatalf("running cat after DropPrivileges: %v", err)
		}
		ex, err := parseCaps(string(out))
		if err != nil {
			t.Fatal(err)
		}
		if ex["CapEff"] != 0 || ex["CapPrm"] != 0 || ex["CapAmb"] != 0 {
			t.Errorf("a program run after DropPrivileges has CapEff %x CapPrm %x CapAmb %x, want 0", ex["CapEff"], ex["CapPrm"], ex["CapAmb"])
		}
	}
	if want := os.Getenv("RAWKIT_RAW_WANT_UID"); want != "" && strconv.Itoa(os.Getuid()) != want {
		t.Errorf("uid %d after DropPrivileges, want %s", os.Getuid(), want)
	}
	if c2, err := ListenIPv4(1, nil); err == nil {
		c2.Close()
		t.Error("opened a new raw socket after DropPrivileges")
	} else if !errors.Is(err, os.ErrPermission) {
		t.Errorf("new raw socket after DropPrivileges: %v, want os.ErrPermission", err)
	}
	dst, err := netipParse(peer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WriteToAddr(context.Background(), echoRequest(t, 0x6d6d, 1, "dropped"), dst); err != nil {
		t.Fatalf("send after DropPrivileges: %v", err)
	}
	m := readEchoReply(t, c, 0x6d6d, 1)
	if m.Src != dst {
		t.Errorf("reply from %v, want %v", m.Src, dst)
	}
}

// checkDropCapture checks the child's echo crossed the wire both ways.
func checkDropCapture(t *testing.T, p *netlab.Pair, pkts []netlab.Packet) {
	t.Helper()
	var req, rep bool
	for _, g := range captured(t, pkts) {
		if len(g.payload) < 8 || g.payload[4] != 0x6d || g.payload[5] != 0x6d {
			continue
		}
		req = req || (g.payload[0] == 8 && addr(g.hdr.Src) == p.A.Addr())
		rep = rep || (g.payload[0] == 0 && addr(g.hdr.Src) == p.B.Addr())
	}
	if !req || !rep {
		t.Fatalf("receiver captured echo request %v, reply %v; want both", req, rep)
	}
}

// TestDropPrivilegesUnderSudo: as root under sudo, DropPrivileges turns
// into the invoking user with no capabilities and the socket works on.
func TestDropPrivilegesUnderSudo(t *testing.T) {
	if os.Getenv(childEnv) == "sudo" {
		afterDrop(t)
		return
	}
	netlabtest.Privileged(t)
	p := netlabtest.NewPair(t)
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{childEnv + "=sudo", "SUDO_UID=65534", "SUDO_GID=65534",
		"RAWKIT_RAW_WANT_UID=65534", "RAWKIT_RAW_PEER=" + p.B.Addr().String()}
	runChild(t, p.A, self, t.Name(), nil, nil, env...)
	checkDropCapture(t, p, sn.Stop())

	// Without cgo, every thread also gets no_new_privs, so what runs
	// later starts with no capability, under sudo and as plain root,
	// whose user ID stays 0.
	noCgo := buildNoCgo(t)
	sn = netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	runChild(t, p.A, noCgo, t.Name(), nil, nil, append(env, "RAWKIT_RAW_WANT_EXEC_NO_CAPS=1", "RAWKIT_RAW_WANT_NNP=1")...)
	checkDropCapture(t, p, sn.Stop())
	sn = netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	runChild(t, p.A, noCgo, t.Name(), nil, nil, childEnv+"=sudo", "RAWKIT_RAW_WANT_UID=0",
		"RAWKIT_RAW_PEER="+p.B.Addr().String(), "RAWKIT_RAW_WANT_EXEC_NO_CAPS=1", "RAWKIT_RAW_WANT_NNP=1")
	checkDropCapture(t, p, sn.Stop())
}

// TestDropPrivilegesRefusesBadSudoIDs: as root under sudo with a
// SUDO_UID that is no user ID (not a number, or one that wraps to 0 in
// 32 bits), DropPrivileges fails with os.ErrInvalid before it changes
// anything: the caller is told, and is still who it was.
func TestDropPrivilegesRefusesBadSudoIDs(t *testing.T) {
	if os.Getenv(childEnv) == "badsudo" {
		err := DropPrivileges()
		if !errors.Is(err, os.ErrInvalid) || !strings.Contains(err.Error(), os.Getenv("SUDO_UID")) {
			t.Fatalf("DropPrivileges with SUDO_UID=%s: %v, want an os.ErrInvalid error naming it", os.Getenv("SUDO_UID"), err)
		}
		st, err := readCaps("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		if os.Getuid() != 0 || st["CapEff"]&(1<<unix.CAP_NET_RAW) == 0 {
			t.Fatalf("refused DropPrivileges changed the process: uid %d, CapEff %x", os.Getuid(), st["CapEff"])
		}
		return
	}
	netlabtest.Privileged(t)
	h := netlabtest.NewHost(t)
	bin := buildNoCgo(t) // where the drop would otherwise succeed
	for _, id := range []string{"abc", "4294967296", "-1", ""} {
		runChild(t, h, bin, t.Name(), nil, nil, childEnv+"=badsudo", "SUDO_UID="+id, "SUDO_GID=65534")
	}
}

// TestDropPrivilegesWithCapabilities: a non-root process given
// CAP_NET_RAW (as by setcap, here as an ambient capability of user
// nobody) drops it for good. Go can clear capabilities on every thread
// only without cgo, so the child is this package's tests built with
// CGO_ENABLED=0; a cgo build must refuse instead and keep its
// capabilities, which the second child checks when this binary uses cgo.
func TestDropPrivilegesWithCapabilities(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "caps":
		afterDrop(t)
		return
	case "cgo":
		err := DropPrivileges()
		if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
			t.Fatalf("DropPrivileges in a cgo binary = %v, want errors.ErrUnsupported naming CGO_ENABLED=0", err)
		}
		if st, _ := readCaps("/proc/self/status"); st["CapEff"]&(1<<unix.CAP_NET_RAW) == 0 {
			t.Fatal("refused DropPrivileges still changed the capabilities")
		}
		return
	}
	netlabtest.Privileged(t)
	bin := buildNoCgo(t)
	dir := filepath.Dir(bin)

	p := netlabtest.NewPair(t)
	sn := netlabtest.Sniff(t, p.B, p.BIf, "icmp")
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{}}
	netRaw := []uintptr{unix.CAP_NET_RAW}
	runChild(t, p.A, bin, t.Name(), nobody, netRaw, childEnv+"=caps",
		"RAWKIT_RAW_WANT_UID=65534", "RAWKIT_RAW_WANT_NNP=1", "RAWKIT_RAW_PEER="+p.B.Addr().String())
	checkDropCapture(t, p, sn.Stop())

	if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_GETPID, 0, 0, 0); e == syscall.ENOTSUP {
		self := filepath.Join(dir, "raw-cgo.test")
		if err := copyExecutable(self); err != nil {
			t.Fatal(err)
		}
		runChild(t, p.A, self, t.Name(), nobody, netRaw, childEnv+"=cgo")
	}
}

// buildNoCgo builds this package's privileged tests with CGO_ENABLED=0
// into a directory user nobody can reach, and returns the binary's path.
func buildNoCgo(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rk-raw-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "raw-nocgo.test")
	build := exec.Command("go", "test", "-c", "-tags", "privileged", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the tests without cgo: %v\n%s", err, out)
	}
	return bin
}

func copyExecutable(dst string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(self)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o755)
}

// checkDropped, the check DropPrivileges ends with, sees capabilities
// still held: this test process runs with them.
func TestCheckDroppedSeesPrivileges(t *testing.T) {
	netlabtest.Privileged(t)
	if err := checkDropped(false); err == nil || !strings.Contains(err.Error(), "capabilities still held") {
		t.Errorf("checkDropped with capabilities held: %v", err)
	}
}
