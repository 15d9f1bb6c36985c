package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/devenv/devenvtest"
	"github.com/prodlife/product-lifecycle-operator/internal/testenv"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// Five products made in the console, imported with `kubectl prodlife import iot` and
// applied, are all Ready without one write to the platform; `kubectl prodlife status`
// explains a deletion that waits, and the command it prints lets it finish.
func TestImportedProductsAreAdoptedWithNoWriteToThePlatform(t *testing.T) {
	s := environment(t)
	plugin := pluginPath(t)
	ns := s.namespace(t, "e2e-import")
	// An instance of their own: the import lists every product of one instance, and the
	// other tests' products are in the default one.
	const instance = "iot-e2e-import"
	keys := map[string]bool{}
	for i := range 5 {
		var made alibabaiot.Product
		must(t, devenvtest.Inspect(inspectContext(t), http.MethodPost, s.alibaba.URL+"/_sim/products",
			alibabaiot.Product{ProductName: fmt.Sprintf("console_made_%d", i), Description: "made in the console", IotInstanceID: instance,
				AliyunCommodityCode: "iothub_senior", DataFormat: 1}, &made))
		keys[made.ProductKey] = true
	}
	callsBefore := len(s.alibaba.calls(t))

	manifests := s.kubectl.plugin(t, plugin, "prodlife", "import", "iot", "--region", "cn-shanghai", "--instance", instance,
		"--endpoint", s.env.AlibabaURL, "-n", ns, "--credentials-secret", testenv.AlibabaSecretName)
	s.kubectl.runWithInput(t, manifests, "apply", "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "iotproducts", "--all")

	rows := table(t, s.kubectl.run(t, "get", "iotproducts", "-n", ns))
	if len(rows) != 5 {
		t.Fatalf("kubectl get iotproducts shows %d rows, want the 5 imported", len(rows))
	}
	for _, r := range rows {
		if !keys[r["PRODUCTKEY"]] || r["READY"] != "True" || r["REASON"] != "Available" || r["LASTSYNC"] == "" || r["LASTSYNC"] == "<none>" {
			t.Errorf("row %v: want one of the imported ProductKeys, Ready Available, a LASTSYNC", r)
		}
	}
	for _, c := range s.alibaba.calls(t)[callsBefore:] {
		ours := c.Parameters["IotInstanceId"] == instance || keys[c.Parameters["ProductKey"]]
		if ours && c.Action != alibabaiot.ActionQueryProduct && c.Action != alibabaiot.ActionQueryProductList {
			t.Errorf("the import and adoption called %s %v; want no write", c.Action, c.Parameters)
		}
	}

	// One product's deletion, paused: status says why it waits, and its first way out works.
	name := rows[0]["NAME"]
	key := rows[0]["PRODUCTKEY"]
	s.kubectl.run(t, "patch", "-n", ns, "iotproduct/"+name, "--type", "merge", "-p", `{"spec":{"deletionPolicy":"Delete"}}`)
	s.kubectl.run(t, "annotate", "-n", ns, "iotproduct/"+name, "prodlife.dev/paused=true")
	s.kubectl.run(t, "delete", "-n", ns, "iotproduct/"+name, "--wait=false")
	var screen string
	testenv.Eventually(t, 30*time.Second, "status to say the deletion waits on the pause", func() string {
		screen = s.kubectl.plugin(t, plugin, "prodlife", "status", "iotp/"+name, "-n", ns)
		if !strings.Contains(screen, "Why it waits: it is paused") {
			return screen
		}
		return ""
	})
	for _, want := range []string{"IoTProduct " + ns + "/" + name, key, "Ready:", "True Available", "Last sync:", "Deletion requested"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the status screen lacks %q:\n%s", want, screen)
		}
	}
	resume := commandAfter(t, screen, "1. ")
	s.kubectl.run(t, strings.Fields(strings.TrimPrefix(resume, "kubectl "))...)
	s.kubectl.run(t, "wait", "-n", ns, "--for=delete", "--timeout=60s", "iotproduct/"+name)
	if calls := s.alibaba.deleteCalls(t, key); len(calls) != 1 || calls[0].Code != alibabaiot.CodeOK {
		t.Errorf("DeleteProduct calls for %s after the printed command: %+v, want one", key, calls)
	}

	// The others were imported with deletionPolicy Orphan: deleting them leaves the products.
	s.kubectl.run(t, "delete", "-n", ns, "iotproducts", "--all")
	products := s.alibaba.products(t)
	for k := range keys {
		if _, there := products[k]; !there && k != key {
			t.Errorf("product %s went with its imported IoTProduct; Orphan keeps it", k)
		}
	}
}

// A catalogue file imported with `kubectl prodlife import flipsnack` and applied becomes the
// feed's products on the platform.
func TestAnImportedCatalogueIsPushedToTheFeedItAdopts(t *testing.T) {
	s := environment(t)
	plugin := pluginPath(t)
	ns := s.namespace(t, "e2e-import-feed")
	catalogue := filepath.Join(t.TempDir(), "catalogue.csv")
	must(t, os.WriteFile(catalogue, []byte("code,type,title,sell_price,currency,parent_code,price\n"+
		"CAT-1,product,Lamp,19.90,EUR,,\n"+
		"CAT-1-RED,,,,,CAT-1,21.00\n"+
		"CAT-2,product,Shade,5,EUR,,\n"), 0o600))
	manifests := s.kubectl.plugin(t, plugin, "prodlife", "import", "flipsnack", "--source-hash", "e2e-imported-feed", "--from", catalogue, "-n", ns)
	s.kubectl.runWithInput(t, manifests, "apply", "-f", "-")
	s.kubectl.run(t, "wait", "-n", ns, "--for=condition=Ready", "--timeout=60s", "flipsnackfeed/e2e-imported-feed")
	if got := s.flipsnack.feeds(t)["e2e-imported-feed"].SKUs; !slices.Equal(got, []string{"CAT-1", "CAT-2"}) {
		t.Errorf("the adopted feed holds %v, want CAT-1 and CAT-2", got)
	}
	s.kubectl.run(t, "delete", "-n", ns, "flipsnackfeed/e2e-imported-feed")
}

// pluginPath is a folder holding kubectl-prodlife built from this tree.
func pluginPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	_, err := devenvtest.BuildPlugin(dir)
	must(t, err)
	return dir
}

// plugin runs `kubectl ARGS` with the plugin's folder on the PATH, as a user who installed it
// would; kubectl takes no flag before a plugin's name, so the kubeconfig goes by KUBECONFIG.
func (k kubectl) plugin(t *testing.T, dir string, args ...string) string {
	t.Helper()
	t.Logf("$ kubectl %s", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.path, args...)
	cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "KUBECONFIG="+k.kubeconfig)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("kubectl %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// commandAfter is the kubectl command printed on the line after the one that starts with
// marker on the status screen.
func commandAfter(t *testing.T, screen, marker string) string {
	t.Helper()
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), marker) && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	t.Fatalf("no line %q on the status screen:\n%s", marker, screen)
	return ""
}
