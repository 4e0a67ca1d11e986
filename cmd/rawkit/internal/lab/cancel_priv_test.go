//go:build linux && privileged

package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestLabUpCancelledCleansUp: lab up cancelled (^C) while it starts the
// delay process, after the namespaces are made, fails and leaves no
// namespace behind.
func TestLabUpCancelledCleansUp(t *testing.T) {
	netlabtest.Privileged(t)
	dir := store(t.TempDir())
	o := labOpts{name: fmt.Sprintf("cx%d", os.Getpid()), routers: 1, delay: 10 * time.Millisecond, mtuHop: -1}
	prefix := labPrefix(o.name)
	t.Cleanup(func() { netlab.Remove(context.Background(), prefix) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // cancel once the state is written: the holder starts next
		for range 10000 {
			if _, err := os.Stat(dir.path(o.name)); err == nil {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	err := labUp(ctx, &cli.Stdio{Out: io.Discard, Err: io.Discard}, dir, o)
	if err == nil {
		t.Fatal("lab up succeeded: the cancel came too late to test anything")
	}
	if left, _ := netlab.Namespaces(prefix); len(left) > 0 {
		t.Errorf("cancelled lab up (%v) left namespaces %v", err, left)
	}
	// Said as what happened, not as a delay process that was slow.
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "within") {
		t.Errorf("cancelled lab up: %v; want it to say it was cancelled", err)
	}
}
