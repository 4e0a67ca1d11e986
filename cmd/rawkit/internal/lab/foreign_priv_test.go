//go:build linux && privileged

package lab

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/internal/netlab"
	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// TestLabLeavesForeignNamespaces: a namespace named like a lab's that no
// lab recorded is not deleted, neither by down nor by up (which refuses,
// naming it).
func TestLabLeavesForeignNamespaces(t *testing.T) {
	netlabtest.Privileged(t)
	ctx := context.Background()
	name := fmt.Sprintf("fx%d", os.Getpid())
	h, err := netlab.CreateHost(ctx, labPrefix(name)+"mine")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	dir := store(t.TempDir())
	sio := &cli.Stdio{Out: io.Discard, Err: io.Discard}
	kept := func(after string) {
		t.Helper()
		if ns, _ := netlab.Namespaces(labPrefix(name)); !slices.Contains(ns, h.Name) {
			t.Fatalf("%s deleted namespace %s, which no lab recorded", after, h.Name)
		}
	}
	if err := labDown(ctx, sio, dir, name); err == nil {
		t.Error("lab down of a lab that is not up succeeded")
	}
	kept("lab down")
	err = labUp(ctx, sio, dir, labOpts{name: name, routers: 1, mtuHop: -1})
	if err == nil {
		labDown(ctx, sio, dir, name)
		t.Fatal("lab up succeeded over a namespace of its names")
	}
	if !strings.Contains(err.Error(), h.Name) {
		t.Errorf("lab up: %v, want it to name %s", err, h.Name)
	}
	kept("lab up")
}
