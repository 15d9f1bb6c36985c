package alibaba

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// The RAM policy the docs give users (config/alibaba/ram-policy.json) allows exactly the
// actions this client calls: every call(ctx, c, Action, ...) of the package names one of
// Actions, and the policy allows "iot:" and each of Actions, nothing else.
func TestTheRAMPolicyAllowsExactlyTheActionsCalled(t *testing.T) {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	// The action constants by their names in the source.
	consts := map[string]string{
		"ActionCreateProduct": ActionCreateProduct, "ActionQueryProduct": ActionQueryProduct,
		"ActionUpdateProduct": ActionUpdateProduct, "ActionDeleteProduct": ActionDeleteProduct,
		"ActionQueryProductList": ActionQueryProductList,
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) < 3 {
				return true
			}
			fun := c.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok {
				fun = ix.X
			}
			if id, ok := fun.(*ast.Ident); !ok || id.Name != "call" {
				return true
			}
			calls++
			arg, ok := c.Args[2].(*ast.Ident)
			if !ok || !slices.Contains(Actions, consts[arg.Name]) {
				t.Errorf("%s calls the platform with action %s, which Actions does not list", filepath.Base(file), nameOf(c.Args[2]))
			}
			return true
		})
	}
	if calls < len(Actions) {
		t.Errorf("found %d calls of the platform, fewer than the %d actions: the test no longer sees them", calls, len(Actions))
	}

	raw, err := os.ReadFile(filepath.Join(dir, "..", "..", "config", "alibaba", "ram-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	var policy struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource any
		}
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, s := range policy.Statement {
		if s.Effect == "Allow" {
			allowed = append(allowed, s.Action...)
		}
	}
	var want []string
	for _, a := range Actions {
		want = append(want, "iot:"+a)
	}
	slices.Sort(allowed)
	slices.Sort(want)
	if policy.Version != "1" || !slices.Equal(allowed, want) {
		t.Errorf("config/alibaba/ram-policy.json (version %q) allows %v; the client calls %v", policy.Version, allowed, want)
	}
}

func nameOf(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return "(an expression)"
}
