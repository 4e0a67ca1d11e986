package clitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Nobody is the user and group ID the privilege tests drop to.
const Nobody = 65534

// Launch is one way a privileged user starts rawkit, for the tests that
// check that a command gives up its privileges (capabilities(7)).
type Launch struct {
	Name string              // root, sudo or setcap
	Bin  string              // the rawkit binary to run
	Env  []string            // added to the environment
	Cred *syscall.Credential // nil: as the test (root)
	UID  int                 // the user rawkit must be once it has dropped
}

// Launches builds rawkit as it ships, without cgo (only then can it clear
// the capabilities of every thread), and returns the three ways to run it
// privileged: as root; as root under sudo from user nobody (SUDO_UID and
// SUDO_GID 65534, as sudo sets them); and as user nobody running a copy
// given cap_net_raw,cap_net_admin by setcap(8), as scripts/setcap.sh does.
// rawkit-exporter is built next to each, where `rawkit exporter` finds
// it; the setcap'd copy's has cap_net_raw+ep of its own, as
// scripts/setcap.sh gives it: file capabilities do not pass to a program
// executed without them (capabilities(7)). The copies live in a
// directory anyone can search, as nobody must run one. It needs root and
// setcap.
func Launches(t testing.TB) []Launch {
	t.Helper()
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		t.Fatalf("no setcap (libcap2-bin): %v", err)
	}
	dir, err := os.MkdirTemp("", "rk-launch-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	capdir := filepath.Join(dir, "setcap")
	for _, d := range []string{dir, capdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := build(dir, []string{"CGO_ENABLED=0"}); err != nil {
		t.Fatal(err)
	}
	for name, caps := range map[string]string{"rawkit": "cap_net_raw,cap_net_admin+ep", "rawkit-exporter": "cap_net_raw+ep"} {
		capped := filepath.Join(capdir, name)
		if err := copyExec(capped, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(setcap, caps, capped).CombinedOutput(); err != nil {
			t.Fatalf("setcap: %v\n%s", err, out)
		}
	}
	bin := filepath.Join(dir, "rawkit")
	nobody := &syscall.Credential{Uid: Nobody, Gid: Nobody, Groups: []uint32{}}
	return []Launch{
		{Name: "root", Bin: bin, UID: 0},
		{Name: "sudo", Bin: bin, Env: []string{"SUDO_UID=65534", "SUDO_GID=65534", "SUDO_USER=nobody"}, UID: Nobody},
		{Name: "setcap", Bin: filepath.Join(capdir, "rawkit"), Cred: nobody, UID: Nobody},
	}
}

func copyExec(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Command returns `rawkit ARGS` as l starts it, with the test's
// environment less any sudo or coverage variables, plus env.
func (l Launch) Command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, l.Bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SUDO_") && !strings.HasPrefix(kv, "GOCOVERDIR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, l.Env...), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: l.Cred, Pdeathsig: syscall.SIGKILL}
	return cmd
}

// waitDropped reads /proc/PID/status of a running command until it shows
// no capability effective or permitted, no_new_privs set and every user
// ID uid (prctl(2), capabilities(7)), for at most 10 s, and says why not
// otherwise, with the last status read. It returns nil once the process
// is seen dropped, while it still runs.
func waitDropped(pid, uid int) error {
	var last string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return fmt.Errorf("process %d ended before it was seen without privileges: %v\nlast status:\n%s", pid, err, last)
		}
		last = string(b)
		if st := parseStatus(last); strings.HasPrefix(st["State"], "Z") && exited(pid) {
			return fmt.Errorf("process %d ended before it was seen without privileges; last status:\n%s", pid, last)
		} else if droppedTo(st, uid) {
			return nil
		}
	}
	st := parseStatus(last)
	return fmt.Errorf("process %d still privileged after 10 s: Uid %q CapEff %s CapPrm %s NoNewPrivs %s; want uid %d, no capability, NoNewPrivs 1",
		pid, st["Uid"], st["CapEff"], st["CapPrm"], st["NoNewPrivs"], uid)
}

// exited reports whether the child pid has ended, leaving it to be
// waited for (waitid(2) with WNOWAIT). A status of Z alone does not say
// so: while a thread other than the leader executes a program
// (rawkit exec'ing rawkit-exporter), the old leader shows as a zombie
// until the exec takes its place (execve(2), "All threads other than
// the calling thread are destroyed").
func exited(pid int) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return err != nil || info.Signo != 0
}

func droppedTo(st map[string]string, uid int) bool {
	want := strconv.Itoa(uid)
	ids := strings.Fields(st["Uid"]) // real, effective, saved, filesystem
	if len(ids) != 4 {
		return false
	}
	for _, id := range ids {
		if id != want {
			return false
		}
	}
	return st["CapEff"] == "0000000000000000" && st["CapPrm"] == "0000000000000000" && st["NoNewPrivs"] == "1"
}

func parseStatus(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// badSudoIDs are SUDO_UID values a drop must refuse rather than run as
// root: not a number, and one that wraps to uid 0 in 32 bits.
func badSudoIDs() []string { return []string{"abc", "4294967296"} }

// CheckFailsClosed runs `rawkit ARGS` as root under sudo with each of
// badSudoIDs, started by start (cmd.Start, or one inside a namespace),
// and fails t unless each ends with status 2 and one line on stderr
// naming the bad SUDO_UID, within 20 s. What must not have crossed the
// wire the caller checks.
func CheckFailsClosed(t testing.TB, l Launch, start func(*exec.Cmd) error, args ...string) {
	t.Helper()
	for _, id := range badSudoIDs() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		root := Launch{Bin: l.Bin}
		cmd := root.Command(ctx, []string{"SUDO_UID=" + id, "SUDO_GID=65534"}, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := start(cmd)
		if err == nil {
			err = cmd.Wait()
		}
		cancel()
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err == nil {
			code = 0
		}
		lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], strconv.Quote(id)) {
			t.Errorf("SUDO_UID=%s rawkit %s: status %d (%v), stderr %q; want status 2 and one line naming %q",
				id, strings.Join(args, " "), code, err, stderr.String(), id)
		}
	}
}

// CheckDrops starts `rawkit ARGS` as l through start (cmd.Start, or one
// inside a namespace), with a standard input that stays open, and checks
// in /proc/PID/status while it runs that it has dropped to l.UID (if
// not, it fails t with what the command wrote to stderr). Then it
// calls then (if not nil) with the process and a func that closes its
// standard input: to make traffic for it, or to stop one that runs until
// Ctrl-C. It waits at most 30 s for the end and returns the exit status
// and what the command wrote.
func CheckDrops(t testing.TB, l Launch, start func(*exec.Cmd) error, then func(p *os.Process, closeIn func()), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := l.Command(ctx, nil, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	in, hold, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	cmd.Stdin = in
	err = start(cmd)
	in.Close()
	if err != nil {
		t.Fatalf("starting rawkit %s: %v", strings.Join(args, " "), err)
	}
	defer func() {
		if t.Failed() {
			_ = cmd.Process.Kill()
		}
	}()
	if err := waitDropped(cmd.Process.Pid, l.UID); err != nil {
		// What the command said is what tells why it ended early.
		_ = cmd.Process.Kill()
		werr := cmd.Wait()
		t.Fatalf("rawkit %s: %v\nit ended with %v; its stderr:\n%s", strings.Join(args, " "), err, werr, errb.String())
	}
	if then != nil {
		then(cmd.Process, func() { hold.Close() })
	}
	err = cmd.Wait()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("rawkit %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errb.String()
}

// Interrupt is a then for [CheckDrops]: Ctrl-C.
func Interrupt(p *os.Process, _ func()) { _ = p.Signal(os.Interrupt) }
