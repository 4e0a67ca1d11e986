package endpoint

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/rawkit/rawkit/internal/netlink"
)

// socketFileBound reports whether a socket in this network namespace is
// bound to the socket file fi (at path).
//
// A refused connect(2) does not show that a file is stale: unix(7)
// refuses connections to a stream socket that is bound but not (yet)
// listening too, and unlinking its file would cut that owner off. The
// kernel's sock_diag(7) dump of AF_UNIX sockets, asked for
// UDIAG_SHOW_VFS, names the device and inode of each bound socket's
// file; the file is held when one of them is fi's. Sockets of other
// network namespaces are not in the dump.
func socketFileBound(fi os.FileInfo) (bool, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false, fmt.Errorf("no inode for %s", fi.Name())
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return false, os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	const show, vfs = 0x2, 1 // UDIAG_SHOW_VFS, UNIX_DIAG_VFS (linux/unix_diag.h)
	req := make([]byte, unix.NLMSG_HDRLEN+24)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	r := req[unix.NLMSG_HDRLEN:] // struct unix_diag_req
	r[0] = unix.AF_UNIX
	binary.NativeEndian.PutUint32(r[4:], 0xffffffff) // every state
	binary.NativeEndian.PutUint32(r[12:], show)
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return false, os.NewSyscallError("sendto", err)
	}
	// The kernel encodes udiag_vfs_dev as its internal dev_t: the major
	// number above bit 20.
	wantDev := unix.Major(uint64(st.Dev))<<20 | unix.Minor(uint64(st.Dev))
	buf := make([]byte, 1<<16)
	found := false
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return false, os.NewSyscallError("recvfrom", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return false, err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case unix.NLMSG_DONE:
				return found, nil
			case unix.NLMSG_ERROR:
				return false, fmt.Errorf("sock_diag: %w", unix.Errno(-int32(binary.NativeEndian.Uint32(m.Data))))
			}
			if len(m.Data) < 16 { // struct unix_diag_msg
				continue
			}
			for typ, v := range netlink.Attrs(m.Data[16:]) {
				if typ == vfs && len(v) >= 8 &&
					binary.NativeEndian.Uint32(v) == uint32(st.Ino) &&
					binary.NativeEndian.Uint32(v[4:]) == wantDev {
					found = true
				}
			}
		}
	}
}
