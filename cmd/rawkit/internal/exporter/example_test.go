package exporter_test

import (
	"fmt"

	"github.com/rawkit/rawkit/cmd/rawkit/internal/exporter"
)

func ExampleParseConfig() {
	_, err := exporter.ParseConfig("rawkit.yml", []byte("targets:\n  - hosts: [10.0.0.2]\n    interval: 0s\n"))
	fmt.Println(err)
	cfg, _ := exporter.ParseConfig("rawkit.yml", []byte("targets:\n  - hosts: [10.0.0.2, 192.0.2.0/28]\n    labels: {site: fra1}\n"))
	g := cfg.Groups[0]
	fmt.Println(len(g.Hosts), g.Interval, g.Timeout, g.Size, g.Labels)
	// Output:
	// rawkit.yml:3: bad interval "0s": want 10ms to 1h
	// 2 1s 2s 56 map[site:fra1]
}
