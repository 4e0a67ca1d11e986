package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/exporter-toolkit/web"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/cli"
	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter/exporterdoc"
	"github.com/rawkit/rawkit/icmp/echo"
	"github.com/rawkit/rawkit/raw"
)

type options struct {
	configFile, listen, webConfig string
	pprof                         bool
}

func parseArgs(sio *cli.Stdio, c *cli.Command, args []string) (*options, int) {
	o := &options{}
	fs := cli.NewFlags(c)
	fs.StringVar(&o.configFile, "config.file", "", "")
	fs.StringVar(&o.listen, "web.listen-address", defaultListen, "")
	fs.StringVar(&o.webConfig, "web.config.file", "", "")
	fs.BoolVar(&o.pprof, "web.enable-pprof", false, "")
	if code := cli.ParseFlags(sio, c, fs, args); code >= 0 {
		return nil, code
	}
	switch {
	case fs.NArg() > 0:
		return nil, cli.Failf(sio, c.Name, "unexpected operand %q (run 'rawkit help exporter')", fs.Arg(0))
	case o.configFile == "":
		return nil, cli.Failf(sio, c.Name, "--config.file is required (run 'rawkit help exporter')")
	}
	return o, -1
}

func (env *Env) run(ctx context.Context, sio *cli.Stdio, args []string) int {
	c := &cli.Command{Name: "exporter", Doc: &exporterdoc.Doc}
	o, code := parseArgs(sio, c, args)
	if o == nil {
		return code
	}
	// Everything a user wrote is checked before anything is opened.
	cfg, err := loadConfig(o.configFile)
	var ents []entry
	var pents []pathEntry
	if err == nil {
		ents, err = entries(cfg, env.InterfaceAddrs)
	}
	if err == nil {
		pents, err = pathEntries(cfg)
	}
	if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	if o.webConfig != "" {
		if err := web.Validate(o.webConfig); err != nil {
			return cli.Failf(sio, "exporter", "web config %s: %v", o.webConfig, err)
		}
	}
	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return cli.Failf(sio, "exporter", "--web.listen-address %s: %v", o.listen, err)
	}
	defer l.Close()
	socks, note, err := env.openSockets()
	if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	defer func() {
		for _, s := range socks {
			s.Conn.Close()
		}
	}()
	// Path targets have sockets of their own, opened now too.
	pre, err := env.openPaths(ctx, cfg, pents)
	if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	defer pre.close()
	// A drop that cannot be completed stops the exporter before any
	// packet (fail closed); only a build that cannot drop at all runs
	// on, and says so.
	if err := env.DropPrivileges(); errors.Is(err, errors.ErrUnsupported) || errors.Is(err, raw.ErrNotImplemented) {
		fmt.Fprintf(sio.Err, "rawkit exporter: warning: privileges kept: %v\n", err)
	} else if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	mon, err := env.NewMonitor(socks)
	if err != nil {
		return cli.Failf(sio, "exporter", "%v", err)
	}
	fmt.Fprintf(sio.Err, "rawkit exporter: %s%s; listening on %v\n", note, pre.note, l.Addr())
	x := newExporter(env, mon, o, sio)
	return x.serve(ctx, l, cfg, ents, pents, pre)
}

// openSockets opens the IPv4 socket, which the exporter needs, and the
// IPv6 one, which it goes without on a host with no IPv6. note says
// which kind they are, for the one line on stderr.
func (env *Env) openSockets() (socks []echo.Socket, note string, err error) {
	// Room for the replies of many targets until the engine reads them.
	const rcvbuf = 4 << 20
	// Round trips from the kernel's send stamps: the time taken before
	// the write would count how long a busy machine kept the sender
	// from the kernel.
	s4, err := env.Listen(&echo.ListenConfig{ReceiveBuffer: rcvbuf, SendStamps: true})
	if err != nil {
		return nil, "", err
	}
	socks = append(socks, *s4)
	note = "raw ICMP sockets (CAP_NET_RAW)"
	if s4.Mode == echo.ModePing {
		note = "ping sockets (net.ipv4.ping_group_range)"
	}
	s6, err := env.Listen(&echo.ListenConfig{IPv6: true, ReceiveBuffer: rcvbuf, SendStamps: true})
	if err != nil {
		note += fmt.Sprintf(", IPv4 only (IPv6: %v)", err)
	} else {
		socks = append(socks, *s6)
	}
	return socks, note, nil
}

// exporter is one run: the targets, the registry, reloads.
type exporter struct {
	env     *Env
	mon     Monitor
	o       *options
	log     *slog.Logger
	sio     *cli.Stdio
	ts      *targetSet
	handler http.Handler
	probes  chan struct{} // slots of /probe requests running at once

	reloadMu sync.Mutex // one reload at a time
	ready    chan struct{}
	sdSig    string // what the file_sd files were at the last load
}

func newExporter(env *Env, mon Monitor, o *options, sio *cli.Stdio) *exporter {
	x := &exporter{env: env, mon: mon, o: o, sio: sio, ready: make(chan struct{}), probes: make(chan struct{}, maxConcurrentProbes)}
	x.log = slog.New(slog.NewTextHandler(sio.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	set := newSeriesSet()
	paths := newPathSet()
	reg, self := newRegistry(paths, mon.Stats, env.Version)
	x.ts = &targetSet{mon: mon, set: set, pathSet: paths, self: self, ifAddrs: env.InterfaceAddrs, log: sio.Err, openPath: env.openPath,
		targets: map[string]*target{}, paths: map[string]*pathTarget{}, names: map[string]netip.Addr{}, labelled: map[string]bool{}}
	self.countPaths = x.ts.countPathsLocked
	x.handler = x.routes(reg, set)
	return x
}

// serve runs the exporter until ctx ends or the engine or the server
// fails.
func (x *exporter) serve(ctx context.Context, l net.Listener, cfg *Config, ents []entry, pents []pathEntry, pre *preopened) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := x.mon.Run(ctx); err != nil && ctx.Err() == nil {
			errc <- fmt.Errorf("engine: %w", err)
		}
	})
	srv := &http.Server{Handler: x.handler, ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() {
		no := false
		flags := &web.FlagConfig{WebListenAddresses: &[]string{x.o.listen}, WebSystemdSocket: &no, WebConfigFile: &x.o.webConfig}
		if err := web.Serve(l, srv, flags, x.log); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	})
	if x.env.Ready != nil {
		x.env.Ready(l.Addr())
	}
	x.start(ctx, cfg, ents, pents, pre)
	wg.Go(func() { x.reloadOnSignal(ctx) })
	wg.Go(func() { x.watchFileSD(ctx) })
	wg.Go(func() { x.resolveLoop(ctx) })
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	srv.Shutdown(sctx)
	scancel()
	cancel()
	wg.Wait()
	x.ts.stopAllPaths()
	x.ts.wg.Wait()
	if err != nil {
		return cli.Failf(x.sio, "exporter", "%v", err)
	}
	return cli.ExitOK
}

// start applies the first configuration.
func (x *exporter) start(ctx context.Context, cfg *Config, ents []entry, pents []pathEntry, pre *preopened) {
	x.reloadMu.Lock()
	defer x.reloadMu.Unlock()
	x.sdSig = sdSignature(cfg)
	x.ts.ctx = ctx
	res := resolveAll(ctx, x.env.Resolver, entryNames(ents))
	// The path targets' monitors were opened at the addresses their
	// names had before the drop: those stand (a name of several
	// addresses may answer in another order now).
	if pre != nil {
		for n, r := range pre.lookups {
			if _, ok := res[n]; !ok || r.err == nil {
				res[n] = r
			}
		}
	}
	x.ts.apply(cfg, ents, pents, res, pre)
	x.env.SetProcs(probeRate(ents, pents))
	x.ts.self.reloadOK.Set(1)
	x.ts.self.reloadTime.SetToCurrentTime()
	close(x.ready)
}

// reload re-reads the configuration file (full) or only the file_sd
// files, and applies it. On error the running configuration stays.
func (x *exporter) reload(ctx context.Context, full bool) error {
	x.reloadMu.Lock()
	defer x.reloadMu.Unlock()
	x.ts.mu.Lock()
	cur := x.ts.cfg
	x.ts.mu.Unlock()
	cfg, sig := cur, sdSignature(cur)
	err := func() error {
		if full {
			var err error
			if cfg, err = loadConfig(x.o.configFile); err != nil {
				return err
			}
			if !sameHistogram(cur, cfg) {
				return fmt.Errorf("%s: rtt_buckets and native_histogram_bucket_factor change only with a restart", cfg.File)
			}
			sig = sdSignature(cfg)
		}
		ents, err := entries(cfg, x.env.InterfaceAddrs)
		if err != nil {
			return err
		}
		pents, err := pathEntries(cfg)
		if err != nil {
			return err
		}
		x.ts.apply(cfg, ents, pents, resolveAll(ctx, x.env.Resolver, append(entryNames(ents), pathNames(pents)...)), nil)
		x.env.SetProcs(probeRate(ents, pents))
		return nil
	}()
	// The files have been read as they are now: a bad one is not read
	// again until it changes.
	x.sdSig = sig
	if err != nil {
		x.ts.self.reloadOK.Set(0)
		fmt.Fprintf(x.sio.Err, "rawkit exporter: reload: %s; the running configuration stays\n", strings.ReplaceAll(err.Error(), "\n", " "))
		return err
	}
	x.ts.self.reloadOK.Set(1)
	x.ts.self.reloadTime.SetToCurrentTime()
	return nil
}

func (x *exporter) reloadOnSignal(ctx context.Context) {
	c, stop := x.env.NotifyReload()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c:
			x.reload(ctx, true)
		}
	}
}

// resolveLoop looks the targets' names up again every resolve_interval.
func (x *exporter) resolveLoop(ctx context.Context) {
	for {
		x.ts.mu.Lock()
		d := x.ts.cfg.ResolveInterval
		x.ts.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		res := resolveAll(ctx, x.env.Resolver, x.ts.nameList())
		if ctx.Err() != nil {
			return // lookups cut short by the end are no failures
		}
		x.ts.resolved(res)
	}
}

func entryNames(ents []entry) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range ents {
		if e.name != "" && !seen[e.name] {
			seen[e.name] = true
			out = append(out, e.name)
		}
	}
	return out
}
