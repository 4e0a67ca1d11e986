//go:build !linux

package endpoint

import (
	"context"
	"net"
)

func setReuseAddr(uintptr) error { return ErrNotImplemented }

func readOnce(uintptr, []byte) (int, bool, error) { return 0, false, ErrNotImplemented }

func acceptQueued(uintptr) (int, bool, error) { return -1, false, ErrNotImplemented }

func recvQueued(uintptr, []byte) (int, bool, any, bool, error) {
	return 0, false, nil, false, ErrNotImplemented
}

func socketDrops(uintptr) (uint64, error) { return 0, ErrNotImplemented }

func connectSelf(uintptr) error { return ErrNotImplemented }

func (s *Server) udpFast(context.Context, *net.UDPConn) (bool, error) { return false, nil }
