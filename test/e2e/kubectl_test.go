package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// kubectl runs the machine's kubectl against the environment, as a user would.
type kubectl struct {
	path, kubeconfig string
}

// run runs kubectl and returns its standard output; any failure ends the test.
func (k kubectl) run(t *testing.T, args ...string) string {
	t.Helper()
	return k.runWithInput(t, "", args...)
}

// runWithInput runs kubectl with input on its standard input (a manifest for `-f -`).
func (k kubectl) runWithInput(t *testing.T, input string, args ...string) string {
	t.Helper()
	stdout, stderr, err := k.exec(t, input, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// fail runs kubectl expecting it to fail, and returns what it told the user on stderr.
func (k kubectl) fail(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, err := k.exec(t, "", args...)
	if err == nil {
		t.Fatalf("kubectl %s succeeded, want a refusal\nstdout:\n%s", strings.Join(args, " "), stdout)
	}
	return stderr
}

func (k kubectl) exec(t *testing.T, input string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	t.Logf("$ kubectl %s", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.path, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// table reads kubectl's default output into one map per row, keyed by column header. Values
// must not contain spaces, which holds for the default (non-wide) columns.
func table(t *testing.T, out string) []map[string]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	header := strings.Fields(lines[0])
	var rows []map[string]string
	for _, line := range lines[1:] {
		fields := strings.Fields(line)
		if len(fields) != len(header) {
			t.Fatalf("cannot read the row %q under the header %q", line, lines[0])
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = fields[i]
		}
		rows = append(rows, row)
	}
	return rows
}
