//go:build !linux

package lab

import (
	"context"
	"errors"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

const labHoldCmd = "hold"

func labRun(_ context.Context, sio *cli.Stdio, _ store, _ string, _ labOpts, _ []string) int {
	return cli.Failf(sio, "lab", "%v", errors.New("network namespaces exist only on Linux"))
}
