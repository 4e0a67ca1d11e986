package endpoint

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// raiseNoFile lifts RLIMIT_NOFILE so that need descriptors fit: the soft
// limit up to the hard one (the Go runtime already does that at start),
// and, where permitted (root or CAP_SYS_RESOURCE), the hard limit up to
// fs.nr_open. Failure is silent: the caller sees EMFILE later and says so.
func raiseNoFile(need int) {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) != nil || lim.Cur >= uint64(need) {
		return
	}
	want := uint64(need)
	if b, err := os.ReadFile("/proc/sys/fs/nr_open"); err == nil {
		if n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil {
			want = min(want, n)
		}
	}
	if want > lim.Max {
		raised := syscall.Rlimit{Cur: want, Max: want}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			return
		}
	}
	lim.Cur = min(want, lim.Max)
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}
