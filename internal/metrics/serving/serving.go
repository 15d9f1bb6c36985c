// Package serving says how the manager serves its Prometheus endpoint: the flags and the
// controller-runtime metrics server options they make.
package serving

import (
	"crypto/tls"
	"flag"

	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// Flags say how the Prometheus endpoint is served. Bind them, parse, then pass
// ServerOptions to the manager.
type Flags struct {
	addr     string
	secure   bool
	certPath string
}

// Bind registers --metrics-bind-address, --metrics-secure and --metrics-cert-path on fs.
func (m *Flags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&m.addr, "metrics-bind-address", ":8443", "Address the Prometheus metrics endpoint binds to; 0 disables it.")
	fs.BoolVar(&m.secure, "metrics-secure", true, "Serve the metrics over HTTPS to callers whose bearer token the API server authenticates (TokenReview) "+
		"and whose RBAC allows get on the non-resource URL /metrics (SubjectAccessReview; the metrics-reader ClusterRole grants it). "+
		"false serves plain HTTP to anyone who reaches the port.")
	fs.StringVar(&m.certPath, "metrics-cert-path", "", "Directory holding tls.crt and tls.key of the metrics endpoint (e.g. a cert-manager Secret), reloaded when they change; "+
		"empty means a self-signed certificate made at start.")
}

// ServerOptions serves /metrics the way kubebuilder v4 scaffolds it. The metrics name the
// namespaces, kinds and platform actions in use and how often deletions fail, which is no
// one's business but the cluster's monitoring: so by default each request needs a token the
// API server vouches for and RBAC allowing it, the check of controller-runtime's filter made
// without its weight (access.go).
func (m *Flags) ServerOptions() metricsserver.Options {
	opts := metricsserver.Options{BindAddress: m.addr}
	if !m.secure {
		return opts
	}
	opts.SecureServing = true
	opts.FilterProvider = accessFilter
	opts.CertDir = m.certPath
	// HTTP/1.1 only: HTTP/2's stream cancellation and rapid reset weaknesses (CVE-2023-44487,
	// CVE-2023-39325) let one client tie up the server, and a scrape gains nothing from it.
	opts.TLSOpts = []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }}
	return opts
}
