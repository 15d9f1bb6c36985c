package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
)

// With the default flags the metrics endpoint is HTTPS and answers only a bearer token the
// API server vouches for and RBAC allows: none is 401, a ServiceAccount without the grant
// 403, one bound to config/rbac's metrics-reader gets the operator's metrics. The manager
// runs as a user with nothing but config/rbac's metrics-auth-role, so those files are what is
// tested. (It runs no controllers: they can be set up once per process, and the metrics
// server is what is under test.)
func TestMetricsAreServedOverHTTPSToAuthorizedScrapersOnly(t *testing.T) {
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	ctx := context.Background()
	admin := env.Client

	const metricsUser = "prodlife-metrics-server"
	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "watched"}}))
	grant(t, admin, "metrics_auth_role.yaml", []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: metricsUser}})
	scraper := serviceAccountToken(t, admin, "scraper")
	stranger := serviceAccountToken(t, admin, "stranger")
	grant(t, admin, "metrics_reader_role.yaml", []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "watched", Name: "scraper"}})
	user, err := env.Env.AddUser(envtest.User{Name: metricsUser}, env.Config)
	must(t, err)

	metricsAddr := freeAddress(t)
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	flags := bindFlags(fs)
	must(t, fs.Parse([]string{"--metrics-bind-address=" + metricsAddr}))
	flags.log.DestWriter = testLogs()
	ctrl.SetLogger(newLogger(flags))
	mgr, err := ctrl.NewManager(user.Config(), ctrl.Options{Scheme: scheme, Metrics: flags.metrics.ServerOptions(), HealthProbeBindAddress: "0"})
	must(t, err)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(runCtx) }()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("the manager did not stop within 30s of its context being cancelled")
		}
	})

	// The certificate is self-signed: the scrape checks the token, not the server.
	https := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	get := func(scheme, token string) (int, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+metricsAddr+"/metrics", nil)
		must(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := https.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	eventually(t, "the metrics reader to get the operator's metrics", func() string {
		if status, body := get("https", scraper); status != http.StatusOK || !strings.Contains(body, "prodlife_deletions_total") {
			return fmt.Sprintf("HTTP %d: %.200s", status, body)
		}
		return ""
	})
	for _, tt := range []struct {
		who, scheme, token string
		want               int
	}{
		{"no token", "https", "", http.StatusUnauthorized},
		{"a ServiceAccount without metrics-reader", "https", stranger, http.StatusForbidden},
		{"a made-up token", "https", "not-a-token", http.StatusUnauthorized},
	} {
		status, body := get(tt.scheme, tt.token)
		if status != tt.want || strings.Contains(body, "prodlife_") {
			t.Errorf("%s: HTTP %d %.200s; want %d and no metrics", tt.who, status, body, tt.want)
		}
	}
	if status, body := get("http", scraper); status == http.StatusOK {
		t.Errorf("plain HTTP answered %d: %.200s", status, body)
	}
}

// grant binds the ClusterRole of config/rbac/<file> to subjects.
func grant(t *testing.T, c client.Client, file string, subjects []rbacv1.Subject) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "config", "rbac", file))
	must(t, err)
	var role rbacv1.ClusterRole
	must(t, yaml.Unmarshal(raw, &role))
	role.ResourceVersion = ""
	ctx := context.Background()
	must(t, c.Create(ctx, &role))
	must(t, c.Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   subjects,
	}))
}

// serviceAccountToken creates a ServiceAccount in namespace watched and returns a token of it.
func serviceAccountToken(t *testing.T, c client.Client, name string) string {
	t.Helper()
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "watched", Name: name}}
	must(t, c.Create(ctx, sa))
	req := &authenticationv1.TokenRequest{}
	must(t, c.SubResource("token").Create(ctx, sa, req))
	if req.Status.Token == "" {
		t.Fatalf("no token for ServiceAccount %s", name)
	}
	return req.Status.Token
}
