package exporter

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits of a configuration. Each bounds what one line of YAML can make
// the exporter send or hold.
const (
	minInterval = 10 * time.Millisecond
	maxInterval = time.Hour
	// maxTimeout bounds the probes in flight per target (timeout/interval)
	// and so the engine's in-flight table.
	maxTimeout = 30 * time.Second
	// maxRange is the most addresses one CIDR range expands to: an IPv4
	// /20, an IPv6 /116. Larger sets belong in file_sd files, where each
	// address is written (and so reviewed) once.
	maxRangeBits = 12
	maxRange     = 1 << maxRangeBits
	// maxTargets bounds the targets of a configuration, file_sd included.
	maxTargets = 100_000
	// maxRate bounds the probes per second all targets add up to, so that
	// short intervals on many targets cannot turn into a flood.
	maxRate = 100_000
	minSize = 16 // the token and the probe number, by which replies are matched
	maxSize = 65507
)

// Settings are how a group's targets are probed and labelled.
type Settings struct {
	Interval time.Duration
	Timeout  time.Duration
	Size     int
	TOS      int
	// Source is a source address or an interface name ("" for the
	// kernel's choice); SourceLine is where it was written.
	Source     string
	SourceLine int
	Labels     map[string]string
}

func defaultSettings() Settings {
	return Settings{Interval: time.Second, Timeout: 2 * time.Second, Size: 56}
}

// Group is one entry of targets:, hosts with their settings.
type Group struct {
	Hosts []Host
	Settings
}

// Host is one item of hosts:, as written, and its line.
type Host struct {
	Spec string
	Line int
}

// FileSD is one entry of file_sd_configs: globs of files in Prometheus'
// file_sd format, the interval at which they are checked for changes,
// and the settings of the targets they list.
type FileSD struct {
	Files   []string
	Refresh time.Duration
	Line    int
	Settings
}

// Config is a parsed configuration file.
type Config struct {
	File   string
	Groups []Group
	FileSD []FileSD
	// Paths are the path targets, monitored round after round over
	// every TTL as mtr does.
	Paths []PathGroup
	// RTTBuckets are the classic buckets of rawkit_ping_rtt_seconds;
	// NativeFactor the growth factor of its native buckets (0: none).
	RTTBuckets   []float64
	NativeFactor float64
	// ResolveInterval is how often names are looked up again.
	ResolveInterval time.Duration
}

// defaultBuckets go from 100 µs to about 26 s by doubling: a LAN reply
// lands in the first few, an intercontinental one in the middle.
var defaultBuckets = []float64{
	0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256,
	0.0512, 0.1024, 0.2048, 0.4096, 0.8192, 1.6384, 3.2768, 6.5536, 13.1072, 26.2144,
}

const (
	defaultNativeFactor    = 1.1 // Prometheus' recommended start (2.40 release notes)
	defaultResolveInterval = time.Minute
	defaultFileSDRefresh   = 5 * time.Second
)

// ParseConfig parses the configuration in data, read from file. Every
// error names file and line.
func ParseConfig(file string, data []byte) (*Config, error) {
	d := doc{file: file}
	cfg := &Config{File: file, RTTBuckets: defaultBuckets, NativeFactor: defaultNativeFactor, ResolveInterval: defaultResolveInterval}
	root, err := d.parse(data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, &posError{file: file, msg: "empty configuration: want targets:, file_sd_configs: or paths:"}
	}
	err = d.fields(root, "configuration", func(key string, v *yaml.Node) error {
		var err error
		switch key {
		case "targets":
			cfg.Groups, err = d.groups(v)
		case "file_sd_configs":
			cfg.FileSD, err = d.fileSDs(v)
		case "paths":
			cfg.Paths, err = d.pathGroups(v)
		case "rtt_buckets":
			cfg.RTTBuckets, err = d.buckets(v)
		case "native_histogram_bucket_factor":
			cfg.NativeFactor, err = d.float(v, key, 0, 2)
			if err == nil && cfg.NativeFactor != 0 && cfg.NativeFactor <= 1 {
				err = d.errf(v, "bad %s %q: want 0 (no native buckets) or more than 1", key, v.Value)
			}
		case "resolve_interval":
			cfg.ResolveInterval, err = d.duration(v, key, time.Second, 24*time.Hour)
		default:
			return errUnknown
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

func (d doc) groups(n *yaml.Node) ([]Group, error) {
	if err := d.check(n, yaml.SequenceNode, "targets"); err != nil {
		return nil, err
	}
	var out []Group
	for _, gn := range n.Content {
		g := Group{Settings: defaultSettings()}
		hostsSeen := false
		err := d.fields(gn, "targets entry", func(key string, v *yaml.Node) error {
			if key != "hosts" {
				return d.setting(&g.Settings, key, v)
			}
			hostsSeen = true
			specs, nodes, err := d.strings(v, key)
			for i, s := range specs {
				if err := checkHostSyntax(s); err != nil {
					return d.errf(nodes[i], "%v", err)
				}
				g.Hosts = append(g.Hosts, Host{Spec: s, Line: nodes[i].Line})
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if !hostsSeen {
			return nil, d.errf(gn, "targets entry without hosts:")
		}
		out = append(out, g)
	}
	return out, nil
}

func (d doc) fileSDs(n *yaml.Node) ([]FileSD, error) {
	if err := d.check(n, yaml.SequenceNode, "file_sd_configs"); err != nil {
		return nil, err
	}
	var out []FileSD
	for _, fn := range n.Content {
		f := FileSD{Settings: defaultSettings(), Refresh: defaultFileSDRefresh, Line: fn.Line}
		err := d.fields(fn, "file_sd_configs entry", func(key string, v *yaml.Node) error {
			switch key {
			case "files":
				globs, nodes, err := d.strings(v, key)
				for i, g := range globs {
					if _, e := matchGlob(g); e != nil || g == "" {
						return d.errf(nodes[i], "bad file pattern %q", g)
					}
				}
				f.Files = globs
				return err
			case "refresh_interval":
				var err error
				f.Refresh, err = d.duration(v, key, 100*time.Millisecond, 24*time.Hour)
				return err
			}
			return d.setting(&f.Settings, key, v)
		})
		if err != nil {
			return nil, err
		}
		if len(f.Files) == 0 {
			return nil, d.errf(fn, "file_sd_configs entry without files:")
		}
		out = append(out, f)
	}
	return out, nil
}

// setting reads one probe setting of a targets or file_sd_configs entry.
func (d doc) setting(s *Settings, key string, v *yaml.Node) error {
	var err error
	switch key {
	case "interval":
		s.Interval, err = d.duration(v, key, minInterval, maxInterval)
	case "timeout":
		s.Timeout, err = d.duration(v, key, time.Millisecond, maxTimeout)
	case "size":
		s.Size, err = d.integer(v, key, minSize, maxSize)
	case "tos":
		s.TOS, err = d.integer(v, key, 0, 255)
	case "source":
		if err = d.check(v, yaml.ScalarNode, key); err == nil {
			if err = checkSource(v.Value); err != nil {
				err = d.errf(v, "%v", err)
			}
			s.Source, s.SourceLine = v.Value, v.Line
		}
	case "labels":
		s.Labels, err = d.labels(v)
	default:
		return errUnknown
	}
	return err
}

// labelName is the label syntax every Prometheus version accepts.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// reservedLabels are set by the exporter itself; le is the bucket label
// of histograms, which client_golang refuses as a constant label.
var reservedLabels = []string{"target", "ip", "le"}

// checkLabel refuses a label name Prometheus rejects or the exporter uses.
func checkLabel(name string) error {
	switch {
	case !labelName.MatchString(name):
		return fmt.Errorf("bad label name %q: want letters, digits and _, not starting with a digit", name)
	case strings.HasPrefix(name, "__"):
		return fmt.Errorf("bad label name %q: names starting with __ are reserved to Prometheus", name)
	case slices.Contains(reservedLabels, name):
		return fmt.Errorf("bad label name %q: the exporter sets target, ip and le itself", name)
	}
	return nil
}

func (d doc) labels(n *yaml.Node) (map[string]string, error) {
	out := map[string]string{}
	err := d.fields(n, "labels", func(key string, v *yaml.Node) error {
		if err := checkLabel(key); err != nil {
			return d.errf(v, "%v", err)
		}
		if err := d.check(v, yaml.ScalarNode, "label "+key); err != nil {
			return err
		}
		out[key] = v.Value
		return nil
	})
	return out, err
}

func (d doc) buckets(n *yaml.Node) ([]float64, error) {
	if err := d.check(n, yaml.SequenceNode, "rtt_buckets"); err != nil {
		return nil, err
	}
	if len(n.Content) == 0 || len(n.Content) > 64 {
		return nil, d.errf(n, "bad rtt_buckets: want 1 to 64 upper bounds in seconds")
	}
	var out []float64
	for _, c := range n.Content {
		b, err := d.float(c, "rtt_buckets bound", 1e-9, 3600)
		if err != nil {
			return nil, err
		}
		if len(out) > 0 && b <= out[len(out)-1] {
			return nil, d.errf(c, "bad rtt_buckets bound %q: bounds must increase", c.Value)
		}
		out = append(out, b)
	}
	return out, nil
}

// checkSource accepts an address or an interface name (IFNAMSIZ-1
// bytes, no slash or space, netdevice(7)).
func checkSource(s string) error {
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	if s == "" || len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/: \t\n") {
		return fmt.Errorf("bad source %q: want an address or an interface name", s)
	}
	return nil
}

// sameHistogram reports whether a and b give rawkit_ping_rtt_seconds
// the same buckets: a reload cannot change them for targets that stay.
func sameHistogram(a, b *Config) bool {
	return slices.Equal(a.RTTBuckets, b.RTTBuckets) && a.NativeFactor == b.NativeFactor
}

// labelKey is a canonical form of a label set, for target identity.
func labelKey(l map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(l)) {
		fmt.Fprintf(&b, "%s=%q,", k, l[k])
	}
	return b.String()
}
