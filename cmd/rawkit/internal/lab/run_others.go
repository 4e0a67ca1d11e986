//go:build !linux

package main

import (
	"context"
	"errors"
)

const labHoldCmd = "hold"

func labRun(_ context.Context, io *stdio, _ string, _ labOpts, _ []string) int {
	return failf(io, "lab", "%v", errors.New("network namespaces exist only on Linux"))
}
