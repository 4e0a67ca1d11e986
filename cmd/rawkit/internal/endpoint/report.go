package endpoint

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	rendpoint "github.com/rawkit/rawkit/endpoint"
)

// pollableInput returns standard input opened anew without blocking, when
// it is a pipe or a terminal, so that the relay can interrupt a pending
// read when the peer closes first. Opening /proc/self/fd/0 gives a new
// open file description, so O_NONBLOCK does not leak to the shell that
// shares the original one.
func pollableInput(in io.Reader) (io.Reader, func()) {
	if in != io.Reader(os.Stdin) {
		return in, func() {}
	}
	fi, err := os.Stdin.Stat()
	if err != nil || fi.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) == 0 {
		return in, func() {}
	}
	f, err := os.OpenFile("/proc/self/fd/0", os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return in, func() {}
	}
	return f, func() { _ = f.Close() }
}

func runEchoTest(ctx context.Context, sio *cli.Stdio, o *connectOptions, echoTest func(context.Context, string, string, *rendpoint.EchoConfig) (*rendpoint.EchoReport, error)) int {
	rep, err := echoTest(ctx, o.network, o.address, &o.echo)
	switch {
	case rep == nil:
		return cli.Failf(sio, "connect", "%v", err)
	case rep.Connections == 0:
		return cli.Failf(sio, "connect", "%s %s: %s", o.network, o.address, firstErr(rep))
	}
	if o.json {
		printEchoJSON(sio.Out, rep, &o.echo)
	} else {
		printEchoText(sio.Out, rep, &o.echo)
	}
	if ctx.Err() != nil || !rep.OK() {
		return cli.ExitNoReply
	}
	return cli.ExitOK
}

func firstErr(rep *rendpoint.EchoReport) string {
	if len(rep.Errors) == 0 {
		return "no connection"
	}
	return rep.Errors[0].Error
}

func sizeText(c *rendpoint.EchoConfig) string {
	if c.MaxSize > c.Size {
		return fmt.Sprintf("%d-%d", c.Size, c.MaxSize)
	}
	return fmt.Sprint(c.Size)
}

func printEchoText(w io.Writer, r *rendpoint.EchoReport, c *rendpoint.EchoConfig) {
	fmt.Fprintf(w, "echo test %s %s: %d connections x %d messages of %s bytes, window %d\n",
		r.Network, r.Address, c.Concurrency, c.Messages, sizeText(c), c.Window)
	fmt.Fprintf(w, "%d sent, %d round trips intact, %d mismatched, %d lost, %d late, %d unanswered, %d connections failed\n",
		r.Sent, r.RoundTrips, r.Mismatches, r.Lost, r.Late, r.Unanswered, r.Failed)
	if r.LocalDrops > 0 {
		fmt.Fprintf(w, "%d echoes dropped by this machine's receive buffers\n", r.LocalDrops)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s (%d)\n", e.Error, e.Count)
	}
	l := r.Latency
	fmt.Fprintf(w, "latency p50 %v p90 %v p99 %v max %v\n", us(l.P50), us(l.P90), us(l.P99), us(l.Max))
	fmt.Fprintf(w, "%.0f round trips/s, %.1f MB/s echoed, in %v\n",
		r.RoundTripsPerSecond(), r.BytesPerSecond()/1e6, r.Elapsed.Round(time.Millisecond))
}

// us rounds a latency for reading: microseconds below 10ms.
func us(d time.Duration) time.Duration {
	if d < 10*time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

func printEchoJSON(w io.Writer, r *rendpoint.EchoReport, c *rendpoint.EchoConfig) {
	errs := make([]map[string]any, 0, len(r.Errors))
	for _, e := range r.Errors {
		errs = append(errs, map[string]any{"error": e.Error, "count": e.Count})
	}
	micro := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	b, _ := json.Marshal(map[string]any{
		"network": r.Network, "address": r.Address, "connections": c.Concurrency,
		"messages": c.Messages, "size": c.Size, "max_size": c.MaxSize, "window": c.Window,
		"sent": r.Sent, "round_trips": r.RoundTrips, "mismatches": r.Mismatches, "lost": r.Lost,
		"late": r.Late, "unanswered": r.Unanswered, "failed_connections": r.Failed,
		"local_drops": r.LocalDrops, "bytes": r.Bytes, "elapsed_s": r.Elapsed.Seconds(),
		"round_trips_per_s": r.RoundTripsPerSecond(), "bytes_per_s": r.BytesPerSecond(),
		"latency_us": map[string]float64{"p50": micro(r.Latency.P50), "p90": micro(r.Latency.P90),
			"p99": micro(r.Latency.P99), "max": micro(r.Latency.Max)},
		"errors": errs, "ok": r.OK(),
	})
	fmt.Fprintf(w, "%s\n", b)
}
