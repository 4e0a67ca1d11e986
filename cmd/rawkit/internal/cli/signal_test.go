package cli_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
)

// SIGINT and SIGTERM cancel the context the main functions hand the commands.
func TestInterruptContext(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		ctx, stop, ready := cli.InterruptContext(false)
		<-ready
		if ctx.Err() != nil {
			t.Fatalf("context done before %v: %v", sig, ctx.Err())
		}
		if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			t.Errorf("%v did not cancel the context", sig)
		}
		stop()
	}
}
