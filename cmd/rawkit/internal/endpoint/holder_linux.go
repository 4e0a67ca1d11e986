package endpoint

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// addrHolder names the process that holds address's port, from
// /proc/net/{tcp,udp}{,6} (the socket's inode) and /proc/PID/fd (who has
// that inode open); see proc(5). Without permission to read another
// user's /proc/PID/fd it says only that another process holds the port.
func addrHolder(network, address string) string {
	_, port, err := net.SplitHostPort(address)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil {
		return "another process holds it"
	}
	proto := "tcp"
	if strings.HasPrefix(network, "udp") {
		proto = "udp"
	}
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/" + proto, "/proc/net/" + proto + "6"} {
		socketInodes(f, p, proto == "tcp", inodes)
	}
	for pid, comm := range inodeOwners(inodes) {
		return fmt.Sprintf("another process holds it (pid %d, %s)", pid, comm)
	}
	return "another process holds it"
}

// socketInodes adds the inodes of sockets bound to port (listening ones
// only, for TCP) from one /proc/net table.
func socketInodes(path string, port int, listenOnly bool, into map[string]bool) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	want := fmt.Sprintf(":%04X", port)
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
		fs := strings.Fields(sc.Text())
		if len(fs) < 10 || !strings.HasSuffix(fs[1], want) {
			continue
		}
		if listenOnly && fs[3] != "0A" { // TCP_LISTEN
			continue
		}
		into[fs[9]] = true
	}
}

// inodeOwners finds the first process with one of the socket inodes
// open; the map has at most one entry.
func inodeOwners(inodes map[string]bool) map[int]string {
	if len(inodes) == 0 {
		return nil
	}
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range pids {
		fds, err := os.ReadDir(dir + "/fd")
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(dir + "/fd/" + fd.Name())
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				comm, _ := os.ReadFile(dir + "/comm")
				return map[int]string{pid: strings.TrimSpace(string(comm))}
			}
		}
	}
	return nil
}
