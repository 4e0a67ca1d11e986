package exporter

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// File_sd files are polled, not watched with inotify: a stat of each
// file every refresh_interval costs next to nothing, and polling sees
// what inotify on the files misses — a Kubernetes ConfigMap or a
// deployment tool that swaps a symlink or renames a new file over the
// old one, a file appearing that a glob matches, files on NFS — with no
// watch to re-arm and no descriptor per directory.

// sdSignature describes the files cfg's file_sd globs match now: names,
// sizes, modification times and inode numbers. A change in any is a
// reason to read them again.
func sdSignature(cfg *Config) string {
	var b strings.Builder
	for i := range cfg.FileSD {
		files, err := sdFiles(cfg, &cfg.FileSD[i])
		if err != nil {
			fmt.Fprintf(&b, "error %v\n", err)
			continue
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				fmt.Fprintf(&b, "%s error\n", f)
				continue
			}
			var ino uint64
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				ino = st.Ino
			}
			fmt.Fprintf(&b, "%s %d %d %d\n", f, fi.Size(), fi.ModTime().UnixNano(), ino)
		}
	}
	return b.String()
}

// sdRefresh is the shortest refresh_interval of cfg's file_sd configs,
// or 0 when it has none.
func sdRefresh(cfg *Config) time.Duration {
	var d time.Duration
	for _, f := range cfg.FileSD {
		if d == 0 || f.Refresh < d {
			d = f.Refresh
		}
	}
	return d
}

// watchFileSD reloads the file_sd files when they change.
func (x *exporter) watchFileSD(ctx context.Context) {
	for {
		x.ts.mu.Lock()
		cfg := x.ts.cfg
		x.ts.mu.Unlock()
		d := sdRefresh(cfg)
		if d == 0 {
			d = defaultFileSDRefresh // a reload may add file_sd configs
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		x.reloadMu.Lock()
		changed := sdRefresh(cfg) > 0 && sdSignature(cfg) != x.sdSig
		x.reloadMu.Unlock()
		if changed {
			x.reload(ctx, false)
		}
	}
}
