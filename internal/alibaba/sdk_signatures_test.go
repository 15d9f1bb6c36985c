package alibaba

import (
	"context"
	"net/url"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	iot "github.com/alibabacloud-go/iot-20180120/v6/client"
	util "github.com/alibabacloud-go/tea-utils/v2/service"
	"github.com/alibabacloud-go/tea/tea"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/pkg/simulator/alibabaiot"
)

// The simulator must accept what the official SDK sends with either signature version, and
// refuse it under the wrong secret: this drives the SDK directly, legacy V1 included, which the
// client itself does not use.
func TestTheSimulatorVerifiesBothSDKSignatures(t *testing.T) {
	tests := []struct {
		name      string
		algorithm string // "" is the SDK's default, V3; "v2" selects the legacy V1 query signature
		secret    string
		wantCode  string // "" success
	}{
		{"V3, right secret", "", simSecret, ""},
		{"V3, wrong secret", "", "wrong-secret-value", "SignatureDoesNotMatch"},
		{"V1, right secret", "v2", simSecret, ""},
		{"V1, wrong secret", "v2", "wrong-secret-value", "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, alibabaiot.Options{}, Options{})
			u, _ := url.Parse(e.srv.URL)
			cfg := &openapi.Config{
				AccessKeyId: tea.String(simKeyID), AccessKeySecret: tea.String(tt.secret),
				Endpoint: tea.String(u.Host), Protocol: tea.String("HTTP"), RegionId: tea.String("cn-shanghai"),
			}
			if tt.algorithm != "" {
				cfg.SignatureAlgorithm = tea.String(tt.algorithm)
			}
			sdk, err := iot.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := sdk.CreateProductWithOptions(&iot.CreateProductRequest{
				ProductName: tea.String("signed_lamp"), NodeType: tea.Int32(0), Description: tea.String("a b*c~d 灯"),
			}, &util.RuntimeOptions{})
			if tt.wantCode != "" {
				c := &Client{}
				if got := c.sdkError(ActionCreateProduct, err); got.Code != tt.wantCode || got.Class != apierr.TerminalAuth {
					t.Fatalf("got %+v, want %s", got, tt.wantCode)
				}
				return
			}
			if err != nil || !tea.BoolValue(resp.Body.Success) {
				t.Fatalf("CreateProduct: %v %v", resp, err)
			}
			calls := e.callsOf(ActionCreateProduct)
			wantVersion := alibabaiot.SignatureV3
			if tt.algorithm == "v2" {
				wantVersion = alibabaiot.SignatureV1
			}
			if calls[0].SignatureVersion != wantVersion || calls[0].Parameters["Description"] != "a b*c~d 灯" {
				t.Errorf("logged %+v", calls[0])
			}
		})
	}
}

func TestSTSCredentialsAreSent(t *testing.T) {
	e := newTestEnv(t, alibabaiot.Options{Accounts: []alibabaiot.Account{
		{AccessKeyID: "STS.NTestKey", AccessKeySecret: "sts-secret-value", SecurityToken: "sts-token-value"},
	}}, Options{})
	c, err := e.set.For(&Credentials{AccessKeyID: "STS.NTestKey", AccessKeySecret: "sts-secret-value", SecurityToken: "sts-token-value"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteProduct(context.Background(), "a1AAAAAAAAA"); !apierr.Is(err, apierr.NotFound) {
		t.Errorf("STS call: %v", err)
	}
}
