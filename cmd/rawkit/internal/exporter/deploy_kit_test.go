package exporter

import (
	"bytes"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestDeployKitConfigs: the example configurations the deployment kit
// ships (deploy/exporter.yml, and the one in the Kubernetes ConfigMap)
// are valid for this exporter.
func TestDeployKitConfigs(t *testing.T) {
	t.Parallel()
	const example = "../../../../deploy/exporter.yml"
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig(example, b)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if pents, err := pathEntries(cfg); err != nil || len(pents) == 0 {
		t.Errorf("%s: %d path targets, %v", example, len(pents), err)
	}
	const manifest = "../../../../deploy/kubernetes/rawkit-exporter.yaml"
	b, err = os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var obj struct {
			Kind string
			Data map[string]string
		}
		if dec.Decode(&obj) != nil {
			break
		}
		if cfg, ok := obj.Data["exporter.yml"]; ok && obj.Kind == "ConfigMap" {
			found = true
			if _, err := ParseConfig(manifest+": exporter.yml", []byte(cfg)); err != nil {
				t.Errorf("%v", err)
			}
		}
	}
	if !found {
		t.Errorf("%s: no ConfigMap with exporter.yml", manifest)
	}
}
