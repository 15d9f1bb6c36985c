// Package logtest captures what the operator logs, in the manager's production format (JSON
// lines), so tests can assert on the fields and on the absence of secrets.
package logtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// ReconcileContext is what a reconcile's context carries: a JSON logger that names the object
// of the given kind, writing to buf.
func ReconcileContext(buf *bytes.Buffer, kind, namespace, name string) context.Context {
	logger := zap.New(zap.WriteTo(buf)).WithValues(kind, klog.KRef(namespace, name), "reconcileID", "r-1")
	return log.IntoContext(context.Background(), logger)
}

// Lines parses the JSON lines in buf; a line that is not JSON fails the test.
func Lines(t testing.TB, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(buf.Bytes()))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("a log line is not JSON: %v\n%s", err, sc.Text())
		}
		out = append(out, line)
	}
	return out
}
