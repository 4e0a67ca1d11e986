package raw

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DropPrivileges gives up every privilege of the process for good; call it
// once the sockets are open, which keep working. It clears the ambient,
// inheritable, permitted and effective capability sets of every thread
// and sets no_new_privs, so that no later execve(2) regains any: with
// no_new_privs the kernel grants an execve, even root's, no capability
// outside the permitted set it had, which is empty (capabilities(7),
// prctl(2)). The ambient set empties with the permitted one: no
// capability stays ambient that is not permitted (capabilities(7)).
// Each all-threads change stops every thread, so there are two: the
// capability sets and no_new_privs. The bounding set is left as it is,
// as iputils leaves it: emptying it takes one all-threads call per
// capability, milliseconds in all, and would keep nothing more out.
// Under sudo, that is as root with SUDO_UID or SUDO_GID set, it also
// switches to that user and group, with no supplementary groups; a value
// that is not a decimal ID below 4294967295 is an error (errors.Is
// os.ErrInvalid) before anything changes, never a wrapped or default ID
// (4294967296 as a uid_t is root). It then checks with the kernel that no
// capability is left and no_new_privs is set. Any error but
// errors.ErrUnsupported means the drop did not complete: the caller
// should stop before it handles a packet.
//
// Capabilities belong to threads, and Go can change them on all threads
// only without cgo (syscall.AllThreadsSyscall). In a cgo binary the
// change of user under sudo still clears them everywhere (the kernel
// does it when no user ID is 0 any more); otherwise DropPrivileges
// returns an error wrapping errors.ErrUnsupported and changes nothing:
// build with CGO_ENABLED=0.
func DropPrivileges() error {
	uid, gid, sudo, err := sudoIDs()
	if err != nil {
		return err
	}
	// no_new_privs first, as it needs no capability: it also tells
	// whether all-threads calls work here (ENOTSUP with cgo).
	_, _, e := syscall.AllThreadsSyscall6(syscall.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
	allThreads := e != syscall.ENOTSUP
	if allThreads && e != 0 {
		return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("prctl PR_SET_NO_NEW_PRIVS", e))
	}
	if !allThreads && !sudo {
		held, err := capsHeld()
		if err != nil || !held {
			return err
		}
		return fmt.Errorf("raw: drop privileges: capabilities can be cleared on every thread only in a binary built with CGO_ENABLED=0: %w", errors.ErrUnsupported)
	}
	if sudo {
		// Go applies these to every thread (directly or through libc).
		if err := syscall.Setgroups(nil); err != nil {
			return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("setgroups", err))
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("setgid", err))
		}
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("setuid", err))
		}
	}
	if allThreads {
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData // all sets empty
		_, _, e := syscall.AllThreadsSyscall(syscall.SYS_CAPSET,
			uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0)
		if e != 0 {
			return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("capset", e))
		}
	}
	return checkDropped(allThreads)
}

// sudoIDs returns the invoking user's IDs when the process runs as root
// under sudo (SUDO_UID or SUDO_GID set, not to root). A value that is
// not a user or group ID is an error, never a fallback to root: the drop
// fails closed.
func sudoIDs() (uid, gid int, ok bool, err error) {
	su, sg := os.Getenv("SUDO_UID"), os.Getenv("SUDO_GID")
	if os.Geteuid() != 0 || (su == "" && sg == "") {
		return 0, 0, false, nil
	}
	return parseSudoIDs(su, sg)
}

// parseSudoIDs reads SUDO_UID and SUDO_GID as sudo writes them: decimal
// digits only, each an ID the kernel can hold (a uid_t is 32 bits and
// (uid_t)-1 means "unchanged" to setuid(2), so 4294967295 is refused
// too). An ID that does not fit must not wrap: 4294967296 would become
// uid 0. Both must be set; a uid of 0 means sudo was run by root.
func parseSudoIDs(su, sg string) (uid, gid int, ok bool, err error) {
	u, err1 := parseID(su)
	g, err2 := parseID(sg)
	if err1 != nil || err2 != nil {
		return 0, 0, false, inputErrorf("drop privileges: bad SUDO_UID %q or SUDO_GID %q: want decimal user and group IDs below 4294967295", su, sg)
	}
	return int(u), int(g), u != 0, nil
}

func parseID(s string) (uint32, error) {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' { // no sign, space or base prefix
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err == nil && n == 1<<32-1 {
		err = strconv.ErrRange
	}
	return uint32(n), err
}

// capsHeld reports whether the calling thread has any capability in its
// permitted, effective or ambient set.
func capsHeld() (bool, error) {
	st, err := readCaps("/proc/thread-self/status")
	if err != nil {
		return false, err
	}
	return st["CapPrm"]|st["CapEff"]|st["CapAmb"] != 0, nil
}

// checkDropped asks the kernel what is left: the capability sets of the
// calling thread (capget(2); the all-threads calls gave every thread the
// same) and, when it was set (nnp), its no_new_privs. An empty permitted
// set leaves no ambient capability. Reading /proc/self/status would say the same, in 0.15 ms
// instead of microseconds, on the way to a ping's or trace's first
// packet; the tests read it.
func checkDropped(nnp bool) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("capget", err))
	}
	for _, d := range data {
		if d.Effective|d.Permitted != 0 {
			return fmt.Errorf("raw: drop privileges: capabilities still held: effective %#x, permitted %#x",
				d.Effective, d.Permitted)
		}
	}
	if !nnp {
		return nil
	}
	set, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("raw: drop privileges: %w", os.NewSyscallError("prctl PR_GET_NO_NEW_PRIVS", err))
	}
	if set != 1 {
		return errors.New("raw: drop privileges: no_new_privs is not set")
	}
	return nil
}

// readCaps parses the Cap* lines of a /proc status file.
func readCaps(path string) (map[string]uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("raw: drop privileges: %w", err)
	}
	return parseCaps(string(b))
}

func parseCaps(status string) (map[string]uint64, error) {
	caps := map[string]uint64{}
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(k, "Cap") {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("raw: bad %s line in /proc status: %q", k, line)
		}
		caps[k] = n
	}
	if _, ok := caps["CapEff"]; !ok {
		return nil, errors.New("raw: no CapEff line in /proc status")
	}
	return caps, nil
}
