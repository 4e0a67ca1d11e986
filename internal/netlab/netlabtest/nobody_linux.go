//go:build linux

package netlabtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
)

// nobody is the uid and gid of user nobody on Linux distributions.
const nobody = 65534

// RunAsNobody runs the test named test ("TestX", or "TestX/sub" for a
// subtest) again in a new process of the test binary, as user and group
// nobody (65534) with no supplementary groups and so no capabilities,
// inside h's namespace (nil: the caller's), with env added to the
// environment. It returns the child's output and an error if the child's
// test failed or did not run.
//
// The test tells the two runs apart with AsNobody:
//
//	func TestRawNeedsPrivilege(t *testing.T) {
//		if netlabtest.AsNobody() {
//			_, err := raw.ListenIPv4(1, nil) // the unprivileged body
//			if !errors.Is(err, os.ErrPermission) { t.Fatalf(...) }
//			return
//		}
//		netlabtest.Privileged(t)
//		p := netlabtest.NewPair(t)
//		if out, err := netlabtest.RunAsNobody(t, p.A, "TestRawNeedsPrivilege"); err != nil {
//			t.Fatalf("as nobody: %v\n%s", err, out)
//		}
//	}
//
// The test binary is copied to a directory that nobody can read, as the
// go command builds it in a private one.
func RunAsNobody(t testing.TB, h *netlab.Host, test string, env ...string) ([]byte, error) {
	t.Helper()
	bin, err := nobodyBinary(t)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	var out bytes.Buffer
	// A child forked from a thread inside the namespace starts there.
	start := func() error {
		cmd = exec.CommandContext(ctx, bin, "-test.run="+runPattern(test), "-test.count=1", "-test.v=true")
		cmd.Env = append(childEnv(test), env...)
		out.Reset()
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}},
			Pdeathsig:  syscall.SIGKILL,
		}
		return cmd.Start()
	}
	// execve(2) fails with ETXTBSY while any process still holds the
	// copied binary open for writing: a child that another test's
	// goroutine forked while the copy was open keeps the descriptor
	// until it execs (close-on-exec). That lasts microseconds: try again.
	for try := 0; ; try++ {
		if h != nil {
			err = h.Do(start)
		} else {
			err = start()
		}
		if !errors.Is(err, syscall.ETXTBSY) || try == 50 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return nil, fmt.Errorf("netlab: running %s as nobody: %w", test, err)
	}
	err = cmd.Wait()
	if err != nil {
		return out.Bytes(), fmt.Errorf("netlab: %s as nobody: %w", test, err)
	}
	if !strings.Contains(out.String(), "--- PASS: "+test+" ") {
		return out.Bytes(), fmt.Errorf("netlab: %s as nobody: the test did not run", test)
	}
	return out.Bytes(), nil
}

// AsNobody reports whether this process is a child started by RunAsNobody.
func AsNobody() bool { return os.Getenv(nobodyEnv) != "" }

const nobodyEnv = "RAWKIT_NETLAB_NOBODY"

// runPattern anchors each element of a test name for -test.run.
func runPattern(test string) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// childEnv is the environment less what the child must not inherit
// (a coverage directory it cannot write), plus the marker.
func childEnv(test string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GOCOVERDIR=") || strings.HasPrefix(kv, nobodyEnv+"=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, nobodyEnv+"="+test)
}

// nobodyBinary copies the running test binary to a world-readable
// directory removed at the end of the test.
func nobodyBinary(t testing.TB) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("netlab: %w", err)
	}
	dir, err := os.MkdirTemp("", "rk-nobody-")
	if err != nil {
		return "", fmt.Errorf("netlab: %w", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", fmt.Errorf("netlab: %w", err)
	}
	dst := filepath.Join(dir, filepath.Base(self))
	if err := copyFile(dst, self, 0o755); err != nil {
		return "", fmt.Errorf("netlab: copying the test binary: %w", err)
	}
	return dst, nil
}

func copyFile(dst, src string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, mode) // the umask may have narrowed it
}
