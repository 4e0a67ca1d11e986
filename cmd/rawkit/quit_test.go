package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/clitest"
)

// quitRun starts cmd, waits for its first line of output (or, without
// waitLine, a moment: capture -r buffers its output), sends it
// SIGQUIT (Ctrl-\) and checks that it is still running a moment later;
// then end(cmd) makes it finish, and the run must end with status want
// and no goroutine dump on stderr.
func quitRun(t *testing.T, cmd *exec.Cmd, waitLine bool, end func(*exec.Cmd), want int) {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan int, 1)
	lines := bufio.NewReader(out)
	first := make(chan string, 1)
	go func() {
		l, _ := lines.ReadString('\n')
		first <- l
		io.Copy(io.Discard, lines)
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				code = 128 + int(ws.Signal())
			}
		}
		exited <- code
	}()
	if waitLine {
		select {
		case <-first:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
			t.Fatalf("%v: no first line; stderr: %s", cmd.Args, stderr.String())
		}
	} else {
		time.Sleep(300 * time.Millisecond)
	}
	// main catches the signals from a goroutine it starts before the
	// command runs; give it time to have done so.
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		t.Fatalf("%v ended on SIGQUIT with status %d; stderr:\n%.600s", cmd.Args, code, stderr.String())
	case <-time.After(300 * time.Millisecond):
	}
	end(cmd)
	select {
	case code := <-exited:
		if code != want {
			t.Errorf("%v: exit %d, want %d", cmd.Args, code, want)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("%v did not end", cmd.Args)
	}
	if s := stderr.String(); strings.Contains(s, "goroutine") || strings.Contains(s, "SIGQUIT") {
		t.Errorf("%v: stderr has a dump:\n%.600s", cmd.Args, s)
	}
}

// terminate ends a command with SIGTERM.
func terminate(cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGTERM) }

// TestQuitServe: SIGQUIT leaves a server running; it ends on SIGTERM
// with status 0 and no goroutine dump.
func TestQuitServe(t *testing.T) {
	t.Parallel()
	bin := clitest.BuildRawkit(t)
	quitRun(t, exec.Command(bin, "serve", "tcp", "127.0.0.1:0"), true, terminate, 0)
}

// TestQuitCapture: SIGQUIT leaves `capture -r -` reading a stalled
// pipe; it ends normally at the end of its input.
func TestQuitCapture(t *testing.T) {
	t.Parallel()
	bin := clitest.BuildRawkit(t)
	cmd := exec.Command(bin, "capture", "-r", "-")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A pcap file header (pcap-savefile(5)): Ethernet, then one ARP
	// frame, then nothing until stdin closes.
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, []uint32{0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1})
	frame := append(bytes.Repeat([]byte{0xff}, 6), 0, 1, 2, 3, 4, 5, 0x08, 0x06)
	frame = append(frame, 0, 1, 8, 0, 6, 4, 0, 1, 0, 1, 2, 3, 4, 5, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2)
	binary.Write(&b, binary.LittleEndian, []uint32{1, 0, uint32(len(frame)), uint32(len(frame))})
	b.Write(frame)
	go in.Write(b.Bytes())
	quitRun(t, cmd, false, func(*exec.Cmd) { in.Close() }, 0)
}

// Only ping handles SIGQUIT itself (interim statistics); main drops it
// for every other command, by whatever name it is run.
func TestHandlesQuit(t *testing.T) {
	for argv, want := range map[string]bool{
		"rawkit ping 127.0.0.1": true, "/bin/ping 127.0.0.1": true,
		"rawkit traceroute x": false, "rawkit serve tcp": false, "rawkit": false,
		"/usr/bin/rawkit capture": false, "rawkit send x": false,
	} {
		if got := handlesQuit(commandName(strings.Fields(argv))); got != want {
			t.Errorf("%s: handlesQuit %v, want %v", argv, got, want)
		}
	}
}
