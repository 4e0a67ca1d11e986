// Package deploy holds no code: it is the deployment kit of rawkit
// exporter (a Prometheus scrape configuration with recording and alerting
// rules, a systemd unit, a Kubernetes DaemonSet and an example
// configuration), and the tests that check those files.
//
//   - exporter.yml: an example configuration (/etc/rawkit/exporter.yml)
//   - prometheus/prometheus.yml: scrape jobs for /metrics and for /probe
//   - prometheus/rules.yml: loss ratio and RTT quantiles, and alerts;
//     prometheus/rules_test.yml is their promtool unit test
//   - systemd/rawkit-exporter.service: CAP_NET_RAW only, dropped at start
//   - kubernetes/rawkit-exporter.yaml: a DaemonSet with no capability,
//     through ping sockets and net.ipv4.ping_group_range
package deploy
