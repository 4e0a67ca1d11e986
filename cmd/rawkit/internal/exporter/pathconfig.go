package exporter

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/rawkit/rawkit/icmp/trace"
)

// Limits of the paths: section. Each path target has at most MaxTTL
// hop series sets (ttl label 1..max_ttl), so they bound the series a
// configuration can make: maxPathTargets × maxPathTTL hops.
const (
	// maxPathTargets bounds the path targets of a configuration.
	maxPathTargets = 100
	// maxPathTTL bounds max_ttl: no real path is longer than 64 hops
	// (Linux's default TTL), and each TTL is a set of series.
	maxPathTTL = 64
	// maxPathFlows bounds flows: each flow is a round's probes again.
	maxPathFlows    = 16
	minPathInterval = 100 * time.Millisecond
	// maxPathRate bounds the probes per second all path targets add up
	// to (max_ttl × flows / interval each, the most a round sends).
	maxPathRate = 10_000
)

// PathSettings are how a paths: entry's hosts are monitored.
type PathSettings struct {
	Method   trace.Method
	Interval time.Duration // between the starts of rounds
	Timeout  time.Duration // the longest a probe is waited for
	MaxTTL   int
	Flows    int
	Port     int // UDP and TCP destination port; 0: the method's default
	Labels   map[string]string
}

func defaultPathSettings() PathSettings {
	return PathSettings{Method: trace.MethodICMP, Interval: time.Second, Timeout: 2 * time.Second,
		MaxTTL: trace.DefaultMaxTTL, Flows: 1, Labels: map[string]string{}}
}

// PathGroup is one entry of paths:, hosts with their settings.
type PathGroup struct {
	Hosts []Host
	Line  int
	PathSettings
}

// pathReservedLabels are set on path series by the exporter itself.
var pathReservedLabels = []string{"ttl", "method"}

func (d doc) pathGroups(n *yaml.Node) ([]PathGroup, error) {
	if err := d.check(n, yaml.SequenceNode, "paths"); err != nil {
		return nil, err
	}
	var out []PathGroup
	for _, gn := range n.Content {
		g := PathGroup{PathSettings: defaultPathSettings(), Line: gn.Line}
		var portNode *yaml.Node
		err := d.fields(gn, "paths entry", func(key string, v *yaml.Node) error {
			var err error
			switch key {
			case "hosts":
				specs, nodes, err := d.strings(v, key)
				for i, s := range specs {
					if err := checkPathHost(s); err != nil {
						return d.errf(nodes[i], "%v", err)
					}
					g.Hosts = append(g.Hosts, Host{Spec: s, Line: nodes[i].Line})
				}
				return err
			case "method":
				g.Method, err = d.pathMethod(v)
			case "interval":
				g.Interval, err = d.duration(v, key, minPathInterval, maxInterval)
			case "timeout":
				g.Timeout, err = d.duration(v, key, minPathInterval, maxTimeout)
			case "max_ttl":
				g.MaxTTL, err = d.integer(v, key, 1, maxPathTTL)
			case "flows":
				g.Flows, err = d.integer(v, key, 1, maxPathFlows)
			case "port":
				g.Port, err = d.integer(v, key, 1, 65535)
				portNode = v
			case "labels":
				g.Labels, err = d.pathLabels(v)
			default:
				return errUnknown
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(g.Hosts) == 0 {
			return nil, d.errf(gn, "paths entry without hosts:")
		}
		if portNode != nil && g.Method == trace.MethodICMP {
			return nil, d.errf(portNode, "bad port %q: ICMP probes have no port (want method: udp or tcp)", portNode.Value)
		}
		out = append(out, g)
	}
	return out, nil
}

func (d doc) pathMethod(v *yaml.Node) (trace.Method, error) {
	if err := d.check(v, yaml.ScalarNode, "method"); err != nil {
		return 0, err
	}
	switch v.Value {
	case "icmp":
		return trace.MethodICMP, nil
	case "udp":
		return trace.MethodUDP, nil
	case "tcp":
		return trace.MethodTCP, nil
	}
	return 0, d.errf(v, "bad method %q: want icmp, udp or tcp", v.Value)
}

func (d doc) pathLabels(v *yaml.Node) (map[string]string, error) {
	l, err := d.labels(v)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if k := v.Content[i].Value; slices.Contains(pathReservedLabels, k) {
			return nil, d.errf(v.Content[i+1], "bad label name %q: the exporter sets ttl and method on path series itself", k)
		}
	}
	return l, nil
}

// checkPathHost refuses what is neither an address nor a host name: a
// path is monitored to one host, so ranges are not taken.
func checkPathHost(h string) error {
	if strings.Contains(h, "/") {
		return fmt.Errorf("bad path host %q: a path target is one address or name, not a range", h)
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	if !validName(h) {
		return fmt.Errorf("bad path host %q: not an address or a host name", h)
	}
	return nil
}

// A pathEntry is one host of paths:, with its settings.
type pathEntry struct {
	target string
	addr   netip.Addr // a literal address; invalid for a name
	name   string
	set    *PathSettings
	file   string
	line   int
}

// key identifies a path target across reloads: same host, method and
// labels is the same series; other settings may change and keep them.
func (e *pathEntry) key() string {
	return e.target + "\x00" + e.set.Method.String() + "\x00" + labelKey(e.set.Labels)
}

// pathEntries lists cfg's path targets and checks them as a whole: no
// target twice, at most maxPathTargets, at most maxPathRate probes per
// second.
func pathEntries(cfg *Config) ([]pathEntry, error) {
	var out []pathEntry
	seen := map[string]int{} // key → line
	rate := 0.0
	for gi := range cfg.Paths {
		g := &cfg.Paths[gi]
		for _, h := range g.Hosts {
			e := pathEntry{target: h.Spec, set: &g.PathSettings, file: cfg.File, line: h.Line}
			if a, err := netip.ParseAddr(h.Spec); err == nil {
				e.addr = a.Unmap()
			} else {
				e.name = h.Spec
			}
			if len(out) == maxPathTargets {
				return nil, &posError{file: cfg.File, line: h.Line, msg: fmt.Sprintf("more than %d path targets", maxPathTargets)}
			}
			if prev, ok := seen[e.key()]; ok {
				return nil, &posError{file: cfg.File, line: h.Line, msg: fmt.Sprintf("path target %q given twice with the same method and labels (also line %d)", e.target, prev)}
			}
			rate += float64(g.MaxTTL*g.Flows) / g.Interval.Seconds()
			if rate > maxPathRate {
				return nil, &posError{file: cfg.File, line: h.Line, msg: fmt.Sprintf("path targets up to here may send more than %d probes per second (max_ttl × flows / interval each)", maxPathRate)}
			}
			out = append(out, e)
			seen[e.key()] = h.Line
		}
	}
	return out, nil
}

// monitorConfig is the path monitor's configuration for e.
func (e *pathEntry) monitorConfig() *trace.MonitorConfig {
	s := e.set
	// Each probe waits its whole timeout: traceroute's NEAR rule (give
	// up on a TTL once a later one answered, after 10 times its round
	// trip) would count a router slow to make its ICMP answers as loss.
	return &trace.MonitorConfig{Config: trace.Config{Method: s.Method, Port: s.Port, MaxTTL: s.MaxTTL, Wait: s.Timeout, NearFactor: -1},
		Target: e.target, Interval: s.Interval, Flows: s.Flows, History: 1}
}

// samePath reports whether a and b monitor alike (labels and method
// aside: they are part of the key).
func samePath(a, b *PathSettings) bool {
	return a.Interval == b.Interval && a.Timeout == b.Timeout && a.MaxTTL == b.MaxTTL && a.Flows == b.Flows && a.Port == b.Port
}
