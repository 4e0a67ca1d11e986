package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/internal/netlab"
)

// labHoldCmd is the hidden subcommand of the background process that
// keeps a lab's delay going (netlab's NFQUEUE listener lives in a
// process: the kernel drops queued packets once nobody listens).
const labHoldCmd = "hold"

// labStartHolder starts `rawkit lab hold` in its own session and waits
// for it to say the delay is in place.
func labStartHolder(ctx context.Context, name string) (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, "lab", labHoldCmd, "--name", name)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	logf, err := os.Create(filepath.Join(labDir, name+".log"))
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
	case <-ctx.Done():
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return 0, errors.New("delay process did not start within 10s")
}

// labHold runs in the background: it holds every router's outgoing
// packets for the lab's delay until SIGTERM (lab down).
func labHold(io *stdio, name string) error {
	st, err := readLabState(name)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	var dls []*netlab.Delayer
	defer func() {
		for _, d := range dls {
			d.Close()
		}
	}()
	for _, n := range st.Nodes {
		for _, ifc := range n.Ifaces {
			d, err := (&netlab.Host{Name: n.NS}).StartDelay(ctx, ifc, st.Delay)
			if err != nil {
				return err
			}
			dls = append(dls, d)
		}
	}
	fmt.Fprintln(io.out, "ready")
	<-ctx.Done()
	return nil
}

// labStopHolder sends SIGTERM to the holder (if it is still one: its
// command line says lab hold) and waits up to 5 s for it to go.
func labStopHolder(pid int) error {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || !strings.Contains(string(cmdline), "lab\x00"+labHoldCmd) {
		return nil // gone already
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return nil
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
			return nil
		}
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); strings.Contains(string(b), ") Z ") {
			return nil // exited, waiting for its parent to reap it
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("delay process %d did not stop", pid)
}
