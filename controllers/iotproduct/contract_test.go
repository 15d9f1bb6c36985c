package iotproduct

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine/enginetest"
	"github.com/prodlife/product-lifecycle-operator/internal/alibaba"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

const (
	contractKeyID  = "LTAI5tContractSuite0001"
	contractSecret = "contract-suite-secret"
)

// IoTProducts keep the engine's whole contract against the simulated IoT Platform, through
// the real client: signed calls, the platform's codes, its name lookup.
func TestIoTProductsKeepTheEngineContract(t *testing.T) {
	sim := alibabaiot.New(alibabaiot.Options{AccessKeyID: contractKeyID, AccessKeySecret: contractSecret})
	platform := &losingAnswers{next: sim}
	srv := httptest.NewServer(platform)
	t.Cleanup(srv.Close)
	clients, err := alibaba.NewClientSet(alibaba.Options{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Run(t, enginetest.Kit[*v1alpha1.IoTProduct, engine.NoPlan]{
		Kind:        v1alpha1.KindNamed("IoTProduct"),
		AddToScheme: v1alpha1.AddToScheme,
		Connector:   iotConnector{clients: clients},
		Noun:        "product",
		New: func(namespace, name, id string) *v1alpha1.IoTProduct {
			// The fake API server applies no CRD defaults: the spec says what they would.
			return &v1alpha1.IoTProduct{
				ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
				Spec: v1alpha1.IoTProductSpec{
					ProductName: "contract_" + name, Description: "made by the contract suite",
					NodeType: v1alpha1.NodeTypeDevice, DataFormat: v1alpha1.DataFormatAlinkJSON, AuthType: "secret",
					Region: "cn-shanghai", ProductKey: id,
					CredentialsSecretRef: &v1alpha1.SecretReference{Name: enginetest.SecretName},
				},
			}
		},
		Credentials: map[string][]byte{v1alpha1.SecretKeyAccessKeyID: []byte(contractKeyID), v1alpha1.SecretKeyAccessKeySecret: []byte(contractSecret)},
		Refused:     map[string][]byte{v1alpha1.SecretKeyAccessKeyID: []byte(contractKeyID), v1alpha1.SecretKeyAccessKeySecret: []byte("revoked")},
		ChangeSpec:  func(p *v1alpha1.IoTProduct) { p.Spec.Description = "changed by the contract suite" },
		Platform:    &iotProbe{sim: sim, platform: platform},
		Reset:       func() { sim.Reset(); platform.reset() },
	})
}

// iotProbe reads and disturbs the simulated platform for the suite.
type iotProbe struct {
	sim      *alibabaiot.Server
	platform *losingAnswers
}

// actions are the platform's actions behind the suite's verbs.
var actions = map[enginetest.Verb]string{
	enginetest.Create: "CreateProduct", enginetest.Update: "UpdateProduct", enginetest.Delete: "DeleteProduct",
}

func (p *iotProbe) Exists(id string) bool {
	for _, product := range p.sim.Products() {
		if product.ProductKey == id {
			return true
		}
	}
	return false
}

func (p *iotProbe) Writes(verb enginetest.Verb) int { return len(p.sim.Calls(actions[verb])) }

// MakeOutside makes the product in the console an hour ago, as someone else would have.
func (p *iotProbe) MakeOutside(obj engine.Managed) string {
	spec := obj.(*v1alpha1.IoTProduct).Spec
	product, err := p.sim.AddProduct(alibabaiot.Product{
		ProductName: spec.ProductName, Description: spec.Description, DataFormat: 1,
		GmtCreate: time.Now().Add(-time.Hour).UnixMilli(),
	})
	if err != nil {
		panic(err)
	}
	return product.ProductKey
}

func (p *iotProbe) Drift(id string) {
	if _, err := p.sim.PatchProduct(id, alibabaiot.ProductPatch{Description: ptr.To("painted over in the console")}); err != nil {
		panic(err)
	}
}

func (p *iotProbe) Remove(id string) {
	if err := p.sim.RemoveProduct(id); err != nil {
		panic(err)
	}
}

func (p *iotProbe) LoseNextAnswer(verb enginetest.Verb) { p.platform.lose(actions[verb]) }

// losingAnswers serves the simulator, except that the next call of an action it was told to
// lose takes effect and then gets no answer: the connection closes, as when a network or a
// gateway drops the response.
type losingAnswers struct {
	next http.Handler
	mu   sync.Mutex
	lost map[string]bool
}

func (l *losingAnswers) lose(action string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == nil {
		l.lost = map[string]bool{}
	}
	l.lost[action] = true
}

func (l *losingAnswers) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lost = nil
}

func (l *losingAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	action := r.Header.Get("x-acs-action")
	if action == "" {
		action = r.URL.Query().Get("Action")
	}
	if action == "" {
		form, _ := url.ParseQuery(string(body))
		action = form.Get("Action")
	}
	l.mu.Lock()
	drop := l.lost[action]
	delete(l.lost, action)
	l.mu.Unlock()
	if !drop {
		l.next.ServeHTTP(w, r)
		return
	}
	l.next.ServeHTTP(httptest.NewRecorder(), r)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}
