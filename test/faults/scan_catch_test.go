package faults

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The scan, and the recording of signatures it relies on, on seeded inputs: a scan that
// stopped finding anything would otherwise pass every run.

func TestScanFindsSecretsAndSignatures(t *testing.T) {
	sc := newScanner([]secret{{"apiSecret", "s3cr3t-value"}}, []string{"0123456789abcdef0123456789abcdef", "Zm9vYmFyYmF6cXV4cXV1eA=="})
	text := "line one\n{\"msg\":\"external call\",\"error\":\"bad s3cr3t-value\"}\nsig=0123456789ABCDEF0123456789ABCDEF&x=1\nSignature=Zm9vYmFyYmF6cXV4cXV1eA%3D%3D\n"
	found := strings.Join(sc.scan("manager.log", text), "\n")
	for _, want := range []string{"manager.log shows the apiSecret (at line 2)", "manager.log shows a request signature (at line 3)", "(at line 4)"} {
		if !strings.Contains(found, want) {
			t.Errorf("the scan found %q, want %q", found, want)
		}
	}
	if strings.Contains(found, "s3cr3t") {
		t.Errorf("a finding repeats the secret: %q", found)
	}
	if clean := sc.scan("x", "RequestId 0123456789abcdef0123456789abcdee, nothing else"); len(clean) > 0 {
		t.Errorf("the scan found %v in a text without secrets", clean)
	}
}

func TestTheProxyRecordsEverySignature(t *testing.T) {
	rec := &signatureRecorder{seen: map[string]bool{}}
	v3 := httptest.NewRequest("POST", "/?Action=CreateProduct", nil)
	v3.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential=LTAI5tKey,SignedHeaders=host;x-acs-action,Signature=4a5b6c7d")
	rec.record(v3, nil)
	v1 := httptest.NewRequest("GET", "/?Action=QueryProduct&Signature=c2lnbmF0dXJl%3D", nil)
	rec.record(v1, nil)
	form := httptest.NewRequest("POST", "/v1/", nil)
	rec.record(form, []byte("action=products.create&apiKey=KEY&signature=0f1e2d3c&sourceHash=plo-1"))

	got := rec.all()
	slices.Sort(got)
	if want := []string{"0f1e2d3c", "4a5b6c7d", "c2lnbmF0dXJl="}; !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
}
