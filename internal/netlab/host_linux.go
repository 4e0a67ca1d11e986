//go:build linux

package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// netnsDir is where `ip netns add` bind-mounts named namespaces
// (ip-netns(8)).
const netnsDir = "/run/netns"

// Host is one network namespace, named as `ip netns` knows it.
type Host struct {
	Name string // the namespace's name: `ip netns exec NAME ...` runs in it

	addr  netip.Addr // main address, set by the topology that made the host
	addr6 netip.Addr // main IPv6 address, likewise
}

// seq numbers the topologies made by this process, so that names are
// unique across parallel tests and across test binaries (the pid).
var seq atomic.Uint64

// UniquePrefix returns a new "rk-PID-N-", the prefix of every namespace
// a test makes: unique in the process (N) and among processes (PID).
// Sweep recognises it; the PID tells a leftover from a live one.
func UniquePrefix() string {
	return fmt.Sprintf("%s%d-%d-", Prefix, os.Getpid(), seq.Add(1))
}

// CreateHost creates the namespace name with loopback up, IPv4 and IPv6,
// ICMP and ICMPv6 rate limiting off (net.ipv4.icmp_ratelimit and
// icmp_ratemask 0, net.ipv6.icmp.ratelimit 0, ip-sysctl docs) and
// reverse-path filtering off. IPv6 addresses are usable at once (no
// duplicate address detection), and hosts stay quiet: no router
// solicitations, router advertisements ignored, and the MLD reports of
// a new address sent at once rather than over the next seconds, so that
// a capture started after the topology is built sees only the test's
// traffic. The caller owns it: Close deletes it.
func CreateHost(ctx context.Context, name string) (*Host, error) {
	if name == "" || strings.ContainsAny(name, "/ \t\n") {
		return nil, fmt.Errorf("netlab: bad namespace name %q", name)
	}
	if out, err := exec.CommandContext(ctx, "ip", "netns", "add", name).CombinedOutput(); err != nil {
		return nil, cmdError("ip netns add "+name, out, err)
	}
	h := &Host{Name: name}
	if err := h.ipBatch(ctx, "link set lo up"); err != nil {
		_ = h.Close()
		return nil, err
	}
	// Set before any interface exists: new interfaces copy conf.default.
	err := h.Sysctls(map[string]string{
		"net.ipv6.conf.all.disable_ipv6":                          "0",
		"net.ipv6.conf.default.disable_ipv6":                      "0",
		"net.ipv6.conf.all.accept_dad":                            "0",
		"net.ipv6.conf.default.accept_dad":                        "0",
		"net.ipv6.conf.all.accept_ra":                             "0",
		"net.ipv6.conf.default.accept_ra":                         "0",
		"net.ipv6.conf.all.router_solicitations":                  "0",
		"net.ipv6.conf.default.router_solicitations":              "0",
		"net.ipv6.conf.all.mldv1_unsolicited_report_interval":     "0",
		"net.ipv6.conf.default.mldv1_unsolicited_report_interval": "0",
		"net.ipv6.conf.all.mldv2_unsolicited_report_interval":     "0",
		"net.ipv6.conf.default.mldv2_unsolicited_report_interval": "0",
		"net.ipv6.icmp.ratelimit":                                 "0",
		"net.ipv4.icmp_ratelimit":                                 "0",
		"net.ipv4.icmp_ratemask":                                  "0",
		"net.ipv4.conf.all.rp_filter":                             "0",
		"net.ipv4.conf.default.rp_filter":                         "0",
	})
	if err != nil {
		_ = h.Close()
		return nil, err
	}
	return h, nil
}

// Close deletes the namespace and with it every interface, address,
// route and iptables rule in it. Processes still running inside keep the
// namespace alive until they exit; the name is gone at once.
func (h *Host) Close() error { return h.remove(context.Background()) }

func (h *Host) remove(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, "ip", "netns", "del", h.Name).CombinedOutput()
	if err != nil {
		return cmdError("ip netns del "+h.Name, out, err)
	}
	return nil
}

// Addr is the host's main address: the one its peers reach it by.
func (h *Host) Addr() netip.Addr { return h.addr }

// Addr6 is the host's main IPv6 address, the counterpart of Addr: on
// every topology of this package, Addr 10.0.k.e has Addr6 fd00:0:0:k::e.
func (h *Host) Addr6() netip.Addr { return h.addr6 }

// String returns the namespace name.
func (h *Host) String() string { return h.Name }

// Do runs fn on a goroutine locked to an OS thread that has joined the
// host's namespace (setns(2)), and returns fn's error. Sockets that fn
// opens belong to the namespace for their whole life, whichever thread
// uses them later. Goroutines that fn starts do not run in the namespace.
// In a test, fn must not call t.Fatal (it does not run on the test's
// goroutine): return an error instead. A panic in fn is re-raised in the caller.
//
// The thread goes back to its own namespace afterwards; if that fails it
// stays locked, so the runtime ends it instead of reusing it elsewhere.
func (h *Host) Do(fn func() error) error {
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() { done <- r }()
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			r.err = fmt.Errorf("netlab: %s: %w", h.Name, os.NewSyscallError("open", err))
			return
		}
		defer unix.Close(orig)
		target, err := unix.Open(filepath.Join(netnsDir, h.Name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			r.err = fmt.Errorf("netlab: namespace %s: %w", h.Name, os.NewSyscallError("open", err))
			return
		}
		defer unix.Close(target)
		if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread() // still in the original namespace
			r.err = fmt.Errorf("netlab: %s: %w", h.Name, os.NewSyscallError("setns", err))
			return
		}
		r.panic, r.err = call(fn)
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			// Leave the thread locked: it exits with this goroutine.
			r.err = errors.Join(r.err, fmt.Errorf("netlab: leaving %s: %w", h.Name, os.NewSyscallError("setns", err)))
			return
		}
		runtime.UnlockOSThread()
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

// call runs fn, turning a panic into a value so that the thread can still
// leave the namespace before the panic goes on.
func call(fn func() error) (p any, err error) {
	defer func() { p = recover() }()
	return nil, fn()
}

// Command returns a command that runs name inside the host's namespace
// through `ip netns exec` (which also mounts a /sys for the namespace).
func (h *Host) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.Name, name}, args...)...)
}

// Run runs a command inside the namespace and returns its combined output;
// the error includes the command line and the output.
func (h *Host) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	out, err := h.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return out, cmdError(h.Name+": "+strings.Join(append([]string{name}, args...), " "), out, err)
	}
	return out, nil
}

// Sysctl sets a sysctl inside the namespace, key in dotted form
// ("net.ipv4.ip_forward"). /proc/sys/net shows the writing thread's
// namespace, so the write happens inside Do.
func (h *Host) Sysctl(key, value string) error {
	return h.Sysctls(map[string]string{key: value})
}

// Sysctls sets several sysctls in one visit to the namespace.
func (h *Host) Sysctls(kv map[string]string) error {
	return h.Do(func() error {
		for k, v := range kv {
			p := filepath.Join("/proc/sys", strings.ReplaceAll(k, ".", "/"))
			if err := os.WriteFile(p, []byte(v), 0); err != nil {
				return fmt.Errorf("netlab: %s: sysctl %s=%s: %w", h.Name, k, v, err)
			}
		}
		return nil
	})
}

// ipBatch runs `ip -n NAME -batch -` with one ip(8) command a line: one
// process for the whole setup of a host instead of one per command.
func (h *Host) ipBatch(ctx context.Context, lines ...string) error {
	cmd := exec.CommandContext(ctx, "ip", "-n", h.Name, "-batch", "-")
	cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return cmdError("ip -n "+h.Name+" -batch: "+strings.Join(lines, "; "), out, err)
	}
	return nil
}

func cmdError(what string, out []byte, err error) error {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w: %s", what, err, out)
}
