package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/rawkit/rawkit/internal/netlab/netlabtest"
)

// promtool runs promtool with args in dir and fails the test on any
// complaint: it exits non-zero on errors, and prints warnings it does not
// fail on, which a kit people copy must not have either.
func promtool(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(netlabtest.NeedTool(t, "promtool"), args...)
	cmd.Dir = "prometheus"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if bytes.Contains(bytes.ToLower(out), []byte("warning")) {
		t.Fatalf("promtool %s warns:\n%s", strings.Join(args, " "), out)
	}
}

func TestPrometheusConfig(t *testing.T) {
	t.Parallel()
	promtool(t, "check", "config", "prometheus.yml")
}

func TestRules(t *testing.T) {
	t.Parallel()
	promtool(t, "check", "rules", "rules.yml")
	// The rules' unit test: the loss ratio of a target losing one probe
	// in four is 0.25, a dead target's 1, and the alerts fire on them.
	promtool(t, "test", "rules", "rules_test.yml")
}

// unit reads a systemd unit file into section -> key -> values (a key may
// repeat, as systemd allows).
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", path, n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSystemdUnitLeastPrivilege(t *testing.T) {
	t.Parallel()
	u := unit(t, "systemd/rawkit-exporter.service")
	svc := u["Service"]
	want := map[string]string{
		"DynamicUser":             "yes",
		"AmbientCapabilities":     "CAP_NET_RAW",
		"CapabilityBoundingSet":   "CAP_NET_RAW",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_NETLINK AF_UNIX",
	}
	for k, v := range want {
		if got := svc[k]; !slices.Equal(got, []string{v}) {
			t.Errorf("[Service] %s = %q, want exactly %q", k, got, v)
		}
	}
	if len(svc["User"]) != 0 {
		t.Errorf("[Service] User = %q: the unit runs as a dynamic user, never a fixed (or root) one", svc["User"])
	}
	exec := strings.Join(svc["ExecStart"], " ")
	if !strings.HasPrefix(exec, "/usr/bin/rawkit-exporter ") || !strings.Contains(exec, "--config.file=/etc/rawkit/exporter.yml") {
		t.Errorf("ExecStart = %q, want the packaged exporter binary with /etc/rawkit/exporter.yml", exec)
	}
	if got := svc["ExecReload"]; !slices.Equal(got, []string{"/bin/kill -HUP $MAINPID"}) {
		t.Errorf("ExecReload = %q, want SIGHUP (the exporter re-reads its config on it)", got)
	}
}

// manifest is what the test reads of each Kubernetes object.
type manifest struct {
	Kind     string
	Metadata struct{ Name, Namespace string }
	Data     map[string]string
	Spec     struct {
		Template struct {
			Spec struct {
				HostNetwork     bool `yaml:"hostNetwork"`
				SecurityContext struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    *int  `yaml:"runAsUser"`
					RunAsGroup   *int  `yaml:"runAsGroup"`
					Sysctls      []struct{ Name, Value string }
				} `yaml:"securityContext"`
				Containers []struct {
					Name            string
					Command         []string
					Args            []string
					SecurityContext struct {
						AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
						Privileged               bool
						Capabilities             struct{ Add, Drop []string }
					} `yaml:"securityContext"`
					VolumeMounts []struct {
						Name      string
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				}
				Volumes []struct {
					Name      string
					ConfigMap struct{ Name string } `yaml:"configMap"`
				}
			}
		}
	}
}

func readManifests(t *testing.T, path string) map[string]manifest {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	objs := map[string]manifest{}
	for {
		var m manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		objs[m.Kind] = m
	}
}

// TestDaemonSetWithoutCapabilities checks the Kubernetes example runs the
// exporter with no capability at all: ping sockets, opened to the pod's
// group through the namespaced (and safe) net.ipv4.ping_group_range.
func TestDaemonSetWithoutCapabilities(t *testing.T) {
	t.Parallel()
	objs := readManifests(t, "kubernetes/rawkit-exporter.yaml")
	ds, ok := objs["DaemonSet"]
	if !ok {
		t.Fatal("no DaemonSet in the manifest")
	}
	pod := ds.Spec.Template.Spec
	if pod.HostNetwork {
		t.Error("hostNetwork: Kubernetes refuses net.* sysctls with it")
	}
	sc := pod.SecurityContext
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 || sc.RunAsGroup == nil {
		t.Fatalf("pod securityContext must run as a fixed non-root user and group: %+v", sc)
	}
	opened := false
	for _, s := range sc.Sysctls {
		var lo, hi int
		if s.Name == "net.ipv4.ping_group_range" {
			if _, err := fmt.Sscan(s.Value, &lo, &hi); err != nil {
				t.Fatalf("ping_group_range %q: %v", s.Value, err)
			}
			opened = lo <= *sc.RunAsGroup && *sc.RunAsGroup <= hi
		}
	}
	if !opened {
		t.Errorf("net.ipv4.ping_group_range does not include the pod's group %d: %+v", *sc.RunAsGroup, sc.Sysctls)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one container, got %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	cs := c.SecurityContext
	if cs.Privileged || len(cs.Capabilities.Add) != 0 || !slices.Equal(cs.Capabilities.Drop, []string{"ALL"}) {
		t.Errorf("container capabilities: want drop [ALL] and nothing added, got %+v", cs)
	}
	if cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation must be false")
	}
	if !slices.Equal(c.Command, []string{"/usr/bin/rawkit-exporter"}) || !slices.Contains(c.Args, "--config.file=/etc/rawkit/exporter.yml") {
		t.Errorf("command %q, args %q: want the image's /usr/bin/rawkit-exporter on /etc/rawkit/exporter.yml", c.Command, c.Args)
	}
	cm, ok := objs["ConfigMap"]
	if !ok || cm.Data["exporter.yml"] == "" {
		t.Fatal("no ConfigMap with exporter.yml")
	}
	mounted := false
	for _, vm := range c.VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name == vm.Name && vm.MountPath == "/etc/rawkit" && v.ConfigMap.Name == cm.Metadata.Name {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Error("the ConfigMap is not mounted at /etc/rawkit")
	}
}
