package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
	"golang.org/x/sys/unix"
)

// labHoldCmd is the hidden subcommand of the background process that
// keeps a lab's delay and MPLS answers going (netlab's NFQUEUE listeners
// live in a process: the kernel drops queued packets once nobody
// listens).
const labHoldCmd = "hold"

// labStartHolder starts `rawkit lab hold` in its own session and waits
// for it to say the delay and MPLS answers are in place.
func labStartHolder(ctx context.Context, dir store, name string) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	args := []string{"lab", labHoldCmd, "--name", name}
	if dir != defaultDir {
		args = append(args, "--state-dir", string(dir))
	}
	cmd := exec.Command(exe, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	logf, err := os.Create(dir.logPath(name))
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case l := <-line:
		if l == "ready" {
			go cmd.Wait() // reaped here while we run; orphaned when we exit
			return cmd.Process.Pid, nil
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b, _ := os.ReadFile(logf.Name())
		return 0, fmt.Errorf("delay process: %s", strings.TrimSpace(string(b)))
	case <-time.After(10 * time.Second):
		err = errors.New("delay process did not start within 10s")
	case <-ctx.Done():
		err = fmt.Errorf("delay process not started: %w", ctx.Err())
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return 0, err
}

// labHold runs in the background until SIGTERM (lab down): it holds the
// packets arriving on every router interface for the lab's delay, and
// gives the --mpls routers' time exceeded messages their label stacks. Held on
// the way in, each has the kernel's arrival time to count from, and a
// round trip from the client crosses as many delays as it would held on
// the way out (netlab.Host.StartDelayIn).
func labHold(sio *cli.Stdio, dir store, name string) error {
	st, err := dir.read(name)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	var progs []interface{ Close() error }
	defer func() {
		for _, p := range progs {
			p.Close()
		}
	}()
	for _, n := range st.Nodes {
		for _, ifc := range n.Ifaces {
			if st.Delay <= 0 {
				break
			}
			d, err := (&netlab.Host{Name: n.NS}).StartDelayIn(ctx, ifc, st.Delay)
			if err != nil {
				return err
			}
			progs = append(progs, d)
		}
		if len(n.MPLS) > 0 {
			x, err := labStartMPLS(ctx, n)
			if err != nil {
				return err
			}
			progs = append(progs, x)
		}
	}
	fmt.Fprintln(sio.Out, "ready")
	<-ctx.Done()
	return nil
}

// labHolderAlive reports whether pid is a running `rawkit lab hold`: a
// process of that pid whose command line says so (proc(5)), not a later
// process given the pid.
func labHolderAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return err == nil && strings.Contains(string(cmdline), "lab\x00"+labHoldCmd)
}

// labStopHolder sends SIGTERM to the holder (if it is still one: its
// command line says lab hold) and waits up to 5 s for it to go. It
// holds the process by a pidfd (pidfd_open(2), Linux 5.3), which names
// that process and no later one given its pid, takes the signal
// (pidfd_send_signal(2)), and turns readable when the process exits.
func labStopHolder(pid int) error {
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return nil // gone already
	}
	if err != nil {
		return fmt.Errorf("delay process %d: %w", pid, os.NewSyscallError("pidfd_open", err))
	}
	defer unix.Close(fd)
	if !labHolderAlive(pid) {
		return nil // gone, or the pid is another process's now
	}
	if err := unix.PidfdSendSignal(fd, unix.SIGTERM, nil, 0); err != nil {
		return nil // exited meanwhile
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for deadline := time.Now().Add(5 * time.Second); ; {
		n, err := unix.Poll(fds, int(max(time.Until(deadline).Milliseconds(), 0)))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("delay process %d: %w", pid, os.NewSyscallError("poll", err))
		case n == 0:
			return fmt.Errorf("delay process %d did not stop", pid)
		}
		return nil
	}
}
