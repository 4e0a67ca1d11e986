package exporter

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noInterfaces(name string) ([]netip.Addr, error) {
	if name == "lo" {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, nil
	}
	return nil, errNoSuchInterface
}

// TestConfigErrors: each bad configuration is one line naming the file,
// the line and the value.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, yaml string
		want       string // substring; the file:line prefix is checked too
		line       int
	}{
		{"unknown top key", "targets: []\nscrape: 1\n", `unknown key "scrape"`, 2},
		{"unknown group key", "targets:\n  - hosts: [127.0.0.1]\n    intervall: 1s\n", `unknown key "intervall"`, 3},
		{"bad duration", "targets:\n  - hosts: [127.0.0.1]\n    interval: 1 second\n", `bad interval "1 second"`, 3},
		{"zero interval", "targets:\n  - hosts: [127.0.0.1]\n    interval: 0s\n", `bad interval "0s"`, 3},
		{"negative interval", "targets:\n  - hosts: [127.0.0.1]\n    interval: -1s\n", `bad interval "-1s"`, 3},
		{"timeout too long", "targets:\n  - hosts: [127.0.0.1]\n    timeout: 31s\n", `bad timeout "31s": want 1ms to 30s`, 3},
		{"bad address", "targets:\n  - hosts: [127.0.0.1, 10.0.0.300]\n", `bad host "10.0.0.300"`, 2},
		{"bad CIDR", "targets:\n  - hosts:\n      - 10.0.0.0/33\n", `bad CIDR range "10.0.0.0/33"`, 3},
		{"host bits", "targets:\n  - hosts:\n      - 10.0.0.1/24\n", `host bits set`, 3},
		{"range too large", "targets:\n  - hosts:\n      - 10.0.0.0/19\n", `bad CIDR range "10.0.0.0/19": 8192 addresses, more than the 4096`, 3},
		{"v6 range too large", "targets:\n  - hosts: [fd00::/64]\n", `bad CIDR range "fd00::/64": 2^64 addresses`, 2},
		{"huge v6 range", "targets:\n  - hosts: ['::/0']\n", `2^128 addresses`, 2},
		{"bad label name", "targets:\n  - hosts: [127.0.0.1]\n    labels: {1site: fra}\n", `bad label name "1site"`, 3},
		{"dashed label name", "targets:\n  - hosts: [127.0.0.1]\n    labels:\n      site-id: fra\n", `bad label name "site-id"`, 4},
		{"reserved target", "targets:\n  - hosts: [127.0.0.1]\n    labels: {target: x}\n", `bad label name "target"`, 3},
		{"reserved ip", "targets:\n  - hosts: [127.0.0.1]\n    labels: {ip: x}\n", `bad label name "ip"`, 3},
		{"reserved le", "targets:\n  - hosts: [127.0.0.1]\n    labels: {le: x}\n", `bad label name "le"`, 3},
		{"reserved __", "targets:\n  - hosts: [127.0.0.1]\n    labels: {__name__: x}\n", `bad label name "__name__"`, 3},
		{"size too small", "targets:\n  - hosts: [127.0.0.1]\n    size: 8\n", `bad size "8"`, 3},
		{"tos", "targets:\n  - hosts: [127.0.0.1]\n    tos: 256\n", `bad tos "256"`, 3},
		{"source", "targets:\n  - hosts: [127.0.0.1]\n    source: 'a b'\n", `bad source "a b"`, 3},
		{"no such interface", "targets:\n  - hosts: [127.0.0.1]\n    source: eth9\n", `bad source "eth9": no such interface`, 3},
		{"no hosts", "targets:\n  - interval: 1s\n", `without hosts`, 2},
		{"twice", "targets:\n  - hosts: [127.0.0.1]\n  - hosts:\n      - 127.0.0.1\n", `target "127.0.0.1" given twice with the same labels (also config.yml:2)`, 4},
		{"key twice", "targets:\n  - hosts: [127.0.0.1]\n    size: 20\n    size: 30\n", `key "size" given twice`, 4},
		{"yaml syntax", "targets:\n  - hosts: [127.0.0.1\n", `bad YAML`, 0},
		{"wrong kind", "targets: 127.0.0.1\n", `targets: want a list, got "127.0.0.1"`, 1},
		{"alias", "x: &a [1]\ntargets:\n  - hosts: *a\n", `unknown key "x"`, 1},
		{"buckets decrease", "targets: []\nrtt_buckets: [0.1, 0.01]\n", `bounds must increase`, 2},
		{"factor", "targets: []\nnative_histogram_bucket_factor: 1\n", `want 0 (no native buckets) or more than 1`, 2},
		{"rate", "targets:\n  - hosts: [10.0.0.0/20]\n    interval: 10ms\n", `more than 100000 probes per second`, 2},
		{"empty", "", `empty configuration`, 0},
		{"name syntax", "targets:\n  - hosts: [db1..example.net]\n", `bad host "db1..example.net"`, 2},
		{"file_sd without files", "file_sd_configs:\n  - refresh_interval: 1s\n", `without files`, 2},
		{"file_sd refresh", "file_sd_configs:\n  - files: [a.yml]\n    refresh_interval: 1ms\n", `bad refresh_interval "1ms"`, 3},
		{"path unknown key", "paths:\n  - hosts: [10.0.0.9]\n    max_ttls: 9\n", `paths entry: unknown key "max_ttls"`, 3},
		{"path method", "paths:\n  - hosts: [10.0.0.9]\n    method: sctp\n", `bad method "sctp": want icmp, udp or tcp`, 3},
		{"path max_ttl", "paths:\n  - hosts: [10.0.0.9]\n    max_ttl: 65\n", `bad max_ttl "65": want an integer from 1 to 64`, 3},
		{"path max_ttl zero", "paths:\n  - hosts: [10.0.0.9]\n    max_ttl: 0\n", `bad max_ttl "0"`, 3},
		{"path flows", "paths:\n  - hosts: [10.0.0.9]\n    flows: 17\n", `bad flows "17": want an integer from 1 to 16`, 3},
		{"path interval", "paths:\n  - hosts: [10.0.0.9]\n    interval: 10ms\n", `bad interval "10ms": want 100ms to 1h`, 3},
		{"path timeout", "paths:\n  - hosts: [10.0.0.9]\n    timeout: 1m\n", `bad timeout "1m"`, 3},
		{"path port", "paths:\n  - hosts: [10.0.0.9]\n    method: udp\n    port: 70000\n", `bad port "70000"`, 4},
		{"path port icmp", "paths:\n  - hosts: [10.0.0.9]\n    port: 80\n", `bad port "80": ICMP probes have no port`, 3},
		{"path range", "paths:\n  - hosts: [10.0.0.0/24]\n", `bad path host "10.0.0.0/24": a path target is one address or name, not a range`, 2},
		{"path bad host", "paths:\n  - hosts: [db1..example.net]\n", `bad path host "db1..example.net"`, 2},
		{"path no hosts", "paths:\n  - method: udp\n", `paths entry without hosts:`, 2},
		{"path label ttl", "paths:\n  - hosts: [10.0.0.9]\n    labels: {ttl: x}\n", `bad label name "ttl"`, 3},
		{"path label method", "paths:\n  - hosts: [10.0.0.9]\n    labels: {method: x}\n", `bad label name "method"`, 3},
		{"path label target", "paths:\n  - hosts: [10.0.0.9]\n    labels: {target: x}\n", `bad label name "target"`, 3},
		{"path twice", "paths:\n  - hosts: [10.0.0.9]\n  - hosts:\n      - 10.0.0.9\n", `path target "10.0.0.9" given twice with the same method and labels (also line 2)`, 4},
		{"path rate", "paths:\n  - hosts: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6]\n    interval: 100ms\n    max_ttl: 64\n    flows: 16\n", `more than 10000 probes per second`, 2},
		{"paths kind", "paths: 10.0.0.9\n", `paths: want a list, got "10.0.0.9"`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			file := filepath.Join(dir, "config.yml")
			_, err := loadAndCheck(t, file, tc.yaml)
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			msg := err.Error()
			msg = strings.ReplaceAll(msg, dir+"/", "")
			if strings.Contains(msg, "\n") {
				t.Errorf("error is more than one line: %q", msg)
			}
			prefix := "config.yml:"
			if tc.line > 0 {
				prefix += fmt.Sprint(tc.line) + ": "
			}
			if !strings.HasPrefix(msg, prefix) || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want %q... holding %q", msg, prefix, tc.want)
			}
		})
	}
}

func loadAndCheck(t *testing.T, file, text string) ([]entry, error) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(file)
	if err != nil {
		return nil, err
	}
	ents, err := entries(cfg, noInterfaces)
	if err == nil {
		_, err = pathEntries(cfg)
	}
	return ents, err
}

// TestPathTargetCap: at most maxPathTargets path targets.
func TestPathTargetCap(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("paths:\n  - interval: 10s\n    hosts:\n")
	for i := range maxPathTargets + 1 {
		fmt.Fprintf(&b, "      - 10.1.%d.%d\n", i/250, i%250+1)
	}
	_, err := loadAndCheck(t, filepath.Join(t.TempDir(), "config.yml"), b.String())
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(":%d: more than %d path targets", maxPathTargets+4, maxPathTargets)) {
		t.Fatalf("%d path targets: %v", maxPathTargets+1, err)
	}
}

// TestConfigGood: the example parses to the targets it lists.
func TestConfigGood(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "targets"), 0o755)
	os.WriteFile(filepath.Join(dir, "targets", "a.yml"), []byte("- targets: [127.0.0.2, fd00::9]\n  labels: {rack: r1, __meta_x: dropped}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "targets", "b.json"), []byte(`[{"targets": ["127.0.0.3"], "labels": {"rack": "r2"}}]`), 0o644)
	ents, err := loadAndCheck(t, filepath.Join(dir, "config.yml"), `
targets:
  - hosts: [10.0.0.2, db1.example.net, 192.0.2.0/28, fd00::2]   # names, addresses, CIDR ranges
    interval: 1s
    timeout: 2s
    size: 56
    tos: 0
    source: lo
    labels: {site: fra1}
file_sd_configs:
  - files: [targets/*.yml, targets/*.json]
    interval: 500ms
`)
	if err != nil {
		t.Fatal(err)
	}
	// 10.0.0.2, the name, 14 of the /28, fd00::2, and the files' three.
	if len(ents) != 1+1+14+1+3 {
		t.Fatalf("%d entries", len(ents))
	}
	byTarget := map[string]entry{}
	for _, e := range ents {
		byTarget[e.target+" "+e.addr.String()] = e
	}
	if e := byTarget["db1.example.net invalid IP"]; e.name != "db1.example.net" || e.set.Labels["site"] != "fra1" {
		t.Errorf("name entry %+v", e)
	}
	if _, ok := byTarget["192.0.2.0/28 192.0.2.0"]; ok {
		t.Error("the network address of a /28 is a target")
	}
	if e := byTarget["192.0.2.0/28 192.0.2.14"]; e.set == nil {
		t.Error("192.0.2.14 of the /28 is missing")
	}
	e := byTarget["127.0.0.2 127.0.0.2"]
	if e.set == nil || e.set.Labels["rack"] != "r1" || e.set.Interval != 500*time.Millisecond || len(e.set.Labels) != 1 {
		t.Errorf("file_sd entry %+v", e)
	}
	if e := byTarget["127.0.0.3 127.0.0.3"]; e.set == nil || e.set.Labels["rack"] != "r2" {
		t.Errorf("JSON file_sd entry %+v", e)
	}
}

// TestFileSDErrors: a bad file_sd file names itself and its line.
func TestFileSDErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sd.yml"), []byte("- targets: [127.0.0.2]\n- targets: [127.0.0.3]\n  labels: {ip: x}\n"), 0o644)
	_, err := loadAndCheck(t, filepath.Join(dir, "config.yml"), "file_sd_configs:\n  - files: [sd.yml]\n")
	if err == nil || !strings.Contains(err.Error(), "sd.yml:3: bad label name \"ip\"") {
		t.Errorf("got %v", err)
	}
	os.WriteFile(filepath.Join(dir, "sd.yml"), []byte("- targets: [127.0.0.2]\n  job: x\n"), 0o644)
	_, err = loadAndCheck(t, filepath.Join(dir, "config.yml"), "file_sd_configs:\n  - files: [sd.yml]\n")
	if err == nil || !strings.Contains(err.Error(), "sd.yml:2: file_sd group: unknown key \"job\"") {
		t.Errorf("got %v", err)
	}
}

// FuzzConfig: any input is a configuration or an error, never a panic,
// and an error is one line.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("targets:\n  - hosts: [10.0.0.2, db1.example.net, 192.0.2.0/28, fd00::2]\n    interval: 1s\n    labels: {site: fra1}\n"))
	f.Add([]byte("targets: []\nrtt_buckets: [0.1, 1]\nnative_histogram_bucket_factor: 1.1\nresolve_interval: 1m\n"))
	f.Add([]byte("file_sd_configs:\n  - files: ['[']\n"))
	f.Add([]byte("x: &a [1]\ny: *a\n"))
	f.Add([]byte("- targets: [127.0.0.2, 10.0.0.0/30]\n  labels: {rack: r1, __meta_x: y}\n"))
	f.Add([]byte(`[{"targets": ["db1.example.net"], "labels": {"a": "b"}}]`))
	f.Add([]byte("paths:\n  - hosts: [10.0.0.9, db1.example.net]\n    method: udp\n    port: 4000\n    max_ttl: 12\n    flows: 2\n    labels: {site: fra1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The same bytes as a file_sd file.
		if _, err := parseSDFile("sd.yml", data, &Settings{Interval: time.Second}); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("file_sd error of more than one line: %q", err)
		}
		cfg, err := ParseConfig("fuzz.yml", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		for _, g := range cfg.Groups {
			if g.Interval < minInterval || g.Timeout > maxTimeout || g.Size < minSize {
				t.Fatalf("settings out of bounds: %+v", g.Settings)
			}
			for _, h := range g.Hosts {
				if err := checkHostSyntax(h.Spec); err != nil {
					t.Fatalf("host %q passed: %v", h.Spec, err)
				}
			}
		}
		for _, g := range cfg.Paths {
			if g.Interval < minPathInterval || g.Timeout > maxTimeout || g.MaxTTL < 1 || g.MaxTTL > maxPathTTL || g.Flows < 1 || g.Flows > maxPathFlows {
				t.Fatalf("path settings out of bounds: %+v", g.PathSettings)
			}
			for _, h := range g.Hosts {
				if err := checkPathHost(h.Spec); err != nil {
					t.Fatalf("path host %q passed: %v", h.Spec, err)
				}
			}
		}
		// file_sd_configs are read from disk; only static groups here.
		cfg.FileSD = nil
		if _, err := entries(cfg, noInterfaces); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
		pents, err := pathEntries(cfg)
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
		if len(pents) > maxPathTargets {
			t.Fatalf("%d path targets passed", len(pents))
		}
	})
}

// TestYAMLSyntaxLine: yaml's syntax errors are put on the line of the
// fault (its parser counts from 0, its scanner from 1).
func TestYAMLSyntaxLine(t *testing.T) {
	t.Parallel()
	for text, line := range map[string]int{
		"targets:\n  - hosts: [127.0.0.1, ::1]\n": 2,
		"a: 1\nb: [1\n":       2,
		"a: 1\n\tb: 2\n":      2,
		"[::1]\n":             1,
		"a: 1\nb: 2\n c: 3\n": 3,
	} {
		_, err := ParseConfig("c.yml", []byte(text))
		if pe, ok := err.(*posError); !ok || pe.line != line {
			t.Errorf("%q: %v, want line %d", text, err, line)
		}
	}
}
