//go:build linux && privileged

package netlab_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// netnsOf is the identity of a thread's network namespace.
func netnsOf(t *testing.T, path string) string {
	t.Helper()
	id, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDoRestoresEveryThread(t *testing.T) {
	netlabtest.Privileged(t)
	// Not parallel: it inspects every thread of the process.
	home := netnsOf(t, "/proc/self/ns/net")
	p := netlabtest.NewPair(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		h := p.A
		if i%2 == 1 {
			h = p.B
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- h.Do(func() error {
				ifs, err := net.Interfaces()
				if err != nil {
					return err
				}
				if len(ifs) != 2 || ifs[1].Name != "eth0" {
					return errors.New("inside the namespace: want lo and eth0")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := filepath.Glob("/proc/self/task/*/ns/net")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("threads: %v %v", tasks, err)
	}
	for _, task := range tasks {
		if id, err := os.Readlink(task); err == nil && id != home {
			t.Errorf("%s is in %s after Do, want %s", task, id, home)
		}
	}
}

func TestDoPanicAndError(t *testing.T) {
	netlabtest.Privileged(t)
	t.Parallel()
	h := netlabtest.NewHost(t)
	want := errors.New("from fn")
	if err := h.Do(func() error { return want }); !errors.Is(err, want) {
		t.Errorf("Do returned %v, want fn's error", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the panic of fn", r)
			}
		}()
		_ = h.Do(func() error { panic("boom") })
	}()
	gone := &netlab.Host{Name: "rk-no-such-namespace"}
	if err := gone.Do(func() error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Do in a missing namespace: %v, want ErrNotExist", err)
	}
}

// TestAsNobody runs its body again as nobody inside a pair's host A.
func TestAsNobody(t *testing.T) {
	if netlabtest.AsNobody() {
		if os.Getuid() != 65534 || os.Getgid() != 65534 {
			t.Fatalf("uid %d gid %d, want 65534", os.Getuid(), os.Getgid())
		}
		if eff := capEff(t); eff != "0000000000000000" {
			t.Fatalf("CapEff %s, want none", eff)
		}
		ifs, err := net.InterfaceAddrs()
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, a := range ifs {
			found = found || strings.HasPrefix(a.String(), "10.0.0.1/")
		}
		if !found {
			t.Fatalf("addresses %v: not in host A's namespace", ifs)
		}
		_, err = net.ListenPacket("ip4:icmp", "0.0.0.0")
		if !errors.Is(err, os.ErrPermission) {
			t.Fatalf("raw socket as nobody: %v, want a permission error", err)
		}
		return
	}
	netlabtest.Privileged(t)
	t.Parallel()
	p := netlabtest.NewPair(t)
	out, err := netlabtest.RunAsNobody(t, p.A, "TestAsNobody")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func capEff(t *testing.T) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no CapEff")
	return ""
}

// TestRunAsNobodyReportsFailure: a child whose test fails is an error.
func TestRunAsNobodyReportsFailure(t *testing.T) {
	if netlabtest.AsNobody() {
		if os.Getenv("NETLAB_WANT_FAIL") == "1" {
			t.Fatal("failing on purpose")
		}
		return
	}
	netlabtest.Privileged(t)
	t.Parallel()
	out, err := netlabtest.RunAsNobody(t, nil, "TestRunAsNobodyReportsFailure", "NETLAB_WANT_FAIL=1")
	if err == nil || !strings.Contains(string(out), "failing on purpose") {
		t.Fatalf("RunAsNobody of a failing test: err %v, output:\n%s", err, out)
	}
	out, err = netlabtest.RunAsNobody(t, nil, "TestNoSuchTest")
	if err == nil {
		t.Fatalf("RunAsNobody of a missing test succeeded:\n%s", out)
	}
}

const leakEnv = "NETLAB_LEAK_FILE"

// TestCleanupAfterFailure runs a test that builds a chain, starts a
// capture and fails, in a child process, then checks that none of the
// child's namespaces outlived it.
func TestCleanupAfterFailure(t *testing.T) {
	if path := os.Getenv(leakEnv); path != "" {
		c := netlabtest.NewChain(t, 2)
		netlabtest.Sniff(t, c.Client, "eth0", "")
		var names []string
		for _, h := range c.Hosts() {
			names = append(names, h.Name)
		}
		if err := os.WriteFile(path, []byte(strings.Join(names, "\n")), 0o600); err != nil {
			t.Error(err)
		}
		t.Fatal("failing on purpose")
	}
	netlabtest.Privileged(t)
	t.Parallel()
	path := filepath.Join(t.TempDir(), "names")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCleanupAfterFailure$", "-test.count=1")
	cmd.Env = append(os.Environ(), leakEnv+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "failing on purpose") {
		t.Fatalf("child: err %v, want its failure:\n%s", err, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("child wrote no names: %v\n%s", err, out)
	}
	names := strings.Fields(string(b))
	if len(names) != 4 {
		t.Fatalf("child made %v, want 4 namespaces", names)
	}
	list, err := exec.Command("ip", "netns", "list").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if strings.Contains(string(list), n) {
			t.Errorf("namespace %s survived its failed test:\n%s", n, list)
		}
	}
}
