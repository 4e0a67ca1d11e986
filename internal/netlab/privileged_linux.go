//go:build linux

package netlab

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Capabilities that building hosts needs (capabilities(7)): namespaces and
// their bind mounts, interfaces, addresses and iptables, raw sockets.
const (
	capNetAdmin = 12
	capNetRaw   = 13
	capSysAdmin = 21
)

// CheckCapabilities tells whether the effective capability set (CapEff
// in /proc/self/status, proc(5)) holds what building hosts and using them
// needs: CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN. It checks
// capabilities, not the uid: root without them fails, and a binary given
// them with setcap passes.
func CheckCapabilities() error {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		hex, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		eff, err := strconv.ParseUint(strings.TrimSpace(hex), 16, 64)
		if err != nil {
			return fmt.Errorf("reading CapEff %q: %w", hex, err)
		}
		var missing []string
		for _, c := range []struct {
			bit  uint
			name string
		}{{capNetAdmin, "CAP_NET_ADMIN"}, {capNetRaw, "CAP_NET_RAW"}, {capSysAdmin, "CAP_SYS_ADMIN"}} {
			if eff&(1<<c.bit) == 0 {
				missing = append(missing, c.name)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("missing %s", strings.Join(missing, ", "))
		}
		return nil
	}
	return fmt.Errorf("no CapEff in /proc/self/status: %v", sc.Err())
}
