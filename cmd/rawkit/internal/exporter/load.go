package exporter

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds what one configuration or file_sd file may make the
// exporter read into memory.
const maxFileSize = 64 << 20

// readLimited reads file, refusing one larger than maxFileSize.
func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err == nil && len(data) > maxFileSize {
		err = fmt.Errorf("%s: larger than %d MiB", file, maxFileSize>>20)
	}
	return data, err
}

// loadConfig reads and parses the configuration file.
func loadConfig(file string) (*Config, error) {
	data, err := readLimited(file)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(file, data)
}

// entries lists the targets cfg gives, its groups' and its file_sd
// files', and checks them as a whole: no target twice, at most
// maxTargets, at most maxRate probes per second, source interfaces that
// exist (ifAddrs looks them up).
func entries(cfg *Config, ifAddrs func(string) ([]netip.Addr, error)) ([]entry, error) {
	var out []entry
	for gi := range cfg.Groups {
		g := &cfg.Groups[gi]
		for _, h := range g.Hosts {
			out = append(out, expand(h, &g.Settings, cfg.File)...)
			if len(out) > maxTargets {
				return nil, &posError{file: cfg.File, line: h.Line, msg: fmt.Sprintf("more than %d targets", maxTargets)}
			}
		}
	}
	for i := range cfg.FileSD {
		sd, err := readFileSD(cfg, &cfg.FileSD[i], maxTargets-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, sd...)
	}
	return out, checkEntries(out, ifAddrs)
}

func checkEntries(out []entry, ifAddrs func(string) ([]netip.Addr, error)) error {
	seen := make(map[string]*entry, len(out))
	checked := map[*Settings]bool{}
	rate := 0.0
	for i := range out {
		e := &out[i]
		if prev := seen[e.key()]; prev != nil {
			return &posError{file: e.file, line: e.line, msg: fmt.Sprintf("target %q given twice with the same labels (also %s:%d)", e.target, prev.file, prev.line)}
		}
		seen[e.key()] = e
		rate += 1 / e.set.Interval.Seconds()
		if rate > maxRate {
			return &posError{file: e.file, line: e.line, msg: fmt.Sprintf("targets up to here send more than %d probes per second", maxRate)}
		}
		if s := e.set.Source; s != "" && !checked[e.set] {
			checked[e.set] = true
			if _, err := netip.ParseAddr(s); err != nil {
				if _, err := ifAddrs(s); err != nil {
					return &posError{file: e.file, line: e.set.SourceLine, msg: fmt.Sprintf("bad source %q: %v", s, err)}
				}
			}
		}
	}
	return nil
}

// readFileSD reads the files f's globs match now: each a list of
// {targets: [HOST...], labels: {NAME: VALUE}} in YAML or JSON, as
// Prometheus' file_sd reads them. Labels starting with __ are dropped, as
// Prometheus drops them after relabelling. room is how many more
// targets fit.
func readFileSD(cfg *Config, f *FileSD, room int) ([]entry, error) {
	files, err := sdFiles(cfg, f)
	if err != nil {
		return nil, err
	}
	var out []entry
	for _, file := range files {
		data, err := readLimited(file)
		if err != nil {
			return nil, &posError{file: cfg.File, line: f.Line, msg: fmt.Sprintf("file_sd: %v", err)}
		}
		got, err := parseSDFile(file, data, &f.Settings)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if len(out) > room {
			return nil, &posError{file: file, msg: fmt.Sprintf("more than %d targets in all", maxTargets)}
		}
	}
	return out, nil
}

// sdFiles lists the files f's globs match; relative patterns are taken
// from the configuration file's directory, as Prometheus takes them.
func sdFiles(cfg *Config, f *FileSD) ([]string, error) {
	var files []string
	for _, g := range f.Files {
		if !filepath.IsAbs(g) {
			g = filepath.Join(filepath.Dir(cfg.File), g)
		}
		m, err := matchGlob(g)
		if err != nil {
			return nil, &posError{file: cfg.File, line: f.Line, msg: fmt.Sprintf("bad file pattern %q", g)}
		}
		files = append(files, m...)
	}
	return files, nil
}

// parseSDFile parses one file_sd file.
func parseSDFile(file string, data []byte, base *Settings) ([]entry, error) {
	d := doc{file: file}
	root, err := d.parse(data)
	if err != nil || root == nil {
		return nil, err
	}
	if err := d.check(root, yaml.SequenceNode, "file_sd file"); err != nil {
		return nil, err
	}
	var out []entry
	for _, n := range root.Content {
		var hosts []Host
		set := *base
		set.Labels = maps.Clone(base.Labels)
		if set.Labels == nil {
			set.Labels = map[string]string{}
		}
		err := d.fields(n, "file_sd group", func(key string, v *yaml.Node) error {
			switch key {
			case "targets":
				specs, nodes, err := d.strings(v, key)
				for i, s := range specs {
					if err := checkHostSyntax(s); err != nil {
						return d.errf(nodes[i], "%v", err)
					}
					hosts = append(hosts, Host{Spec: s, Line: nodes[i].Line})
				}
				return err
			case "labels":
				return d.sdLabels(v, set.Labels)
			}
			return errUnknown
		})
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			out = append(out, expand(h, &set, file)...)
			if len(out) > maxTargets {
				return nil, d.errf(n, "more than %d targets", maxTargets)
			}
		}
	}
	return out, nil
}

func (d doc) sdLabels(n *yaml.Node, into map[string]string) error {
	return d.fields(n, "labels", func(key string, v *yaml.Node) error {
		if err := d.check(v, yaml.ScalarNode, "label "+key); err != nil {
			return err
		}
		if strings.HasPrefix(key, "__") {
			return nil
		}
		if err := checkLabel(key); err != nil {
			return d.errf(v, "%v", err)
		}
		into[key] = v.Value
		return nil
	})
}

// errNoSuchInterface is what interfaceAddrs says of a name no interface has.
var errNoSuchInterface = errors.New("no such interface")
