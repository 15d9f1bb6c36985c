package prodlifetest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
)

// cleanupTimeout bounds how long the end of a test waits for the operator to delete what the
// test left in its namespace.
const cleanupTimeout = 60 * time.Second

var notInName = regexp.MustCompile(`[^a-z0-9-]+`)

// createNamespace creates the test's namespace, named after the test with a unique suffix,
// and the credentials Secrets in it.
func (e *Env) createNamespace(t testing.TB) (string, error) {
	base := strings.Trim(notInName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	if len(base) > 40 {
		base = strings.TrimRight(base[:40], "-")
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: base + "-"}}
	if err := e.Client.Create(context.Background(), ns); err != nil {
		return "", fmt.Errorf("creating the test's namespace: %w", err)
	}
	t.Helper()
	e.CreateCredentials(t, ns.Name)
	return ns.Name, nil
}

// cleanUpNamespace deletes the operator's resources in the test's namespace through the
// operator, with the platforms' faults cleared so that it can, waits until they are gone,
// and deletes the namespace: nothing the test made is left on the platforms, or seen by the
// next test on a shared API server. What the operator cannot delete in cleanupTimeout is
// named in the test's log and left.
func (e *Env) cleanUpNamespace(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	e.sims.ClearFaults()
	inNamespace := client.InNamespace(e.Namespace)
	for _, k := range v1alpha1.Kinds {
		if err := e.Client.DeleteAllOf(ctx, k.New(), inNamespace); err != nil && !apierrors.IsNotFound(err) {
			t.Logf("prodlifetest: deleting the %s resources of namespace %s: %v", k.Name, e.Namespace, err)
		}
	}
	var left []string
	for {
		left = left[:0]
		for _, k := range v1alpha1.Kinds {
			list := k.NewList()
			if err := e.Client.List(ctx, list, inNamespace); err != nil {
				continue
			}
			_ = meta.EachListItem(list, func(obj runtime.Object) error {
				left = append(left, k.Name+" "+obj.(client.Object).GetName())
				return nil
			})
		}
		if len(left) == 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Logf("prodlifetest: the operator did not delete %s of namespace %s within %s; they are left on the API server and the platforms",
			strings.Join(left, ", "), e.Namespace, cleanupTimeout)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: e.Namespace}}
	if err := e.Client.Delete(context.Background(), ns); err != nil && !apierrors.IsNotFound(err) {
		t.Logf("prodlifetest: deleting namespace %s: %v", e.Namespace, err)
	}
}
