package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The code label takes our own words, http_<status> in range and the codes a platform's
// client registered as documented as they are; anything else an answer carries is "other".
// Otherwise each new code from the endpoint would be a new series, kept for the life of the
// process: an endpoint answering a fresh code each time would grow memory without bound.
func TestCodeLabelIsBounded(t *testing.T) {
	const platform = "codes-test"
	RegisterCodes(platform, "Throttling.User", "44")
	tests := []struct{ code, want string }{
		{CodeOK, CodeOK},
		{CodeTimeout, CodeTimeout},
		{CodeCanceled, CodeCanceled},
		{CodeNetworkError, CodeNetworkError},
		{CodeInvalidResponse, CodeInvalidResponse},
		{"Throttling.User", "Throttling.User"},
		{"44", "44"},
		{HTTPStatusCode(302), "http_302"},
		{HTTPStatusCode(503), "http_503"},
		{HTTPStatusCode(599), "http_599"},
		{HTTPStatusCode(600), CodeOther},
		{HTTPStatusCode(99), CodeOther},
		{HTTPStatusCode(-1), CodeOther},
		{"http_1234", CodeOther},
		{"http_abc", CodeOther},
		{"http_+12", CodeOther},
		{"http_042", CodeOther},
		{"Throttling.Invented", CodeOther},
		{"45", CodeOther},
		{"", CodeOther},
		{"iot.prod.NotExistedProduct", CodeOther}, // documented, but for another platform
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			before := testutil.ToFloat64(ExternalRequests.WithLabelValues(platform, "Act", tt.want))
			ObserveRequest(platform, "Act", tt.code, time.Millisecond)
			if got := testutil.ToFloat64(ExternalRequests.WithLabelValues(platform, "Act", tt.want)) - before; got != 1 {
				t.Errorf("code %q: the %q series grew by %v, want 1", tt.code, tt.want, got)
			}
		})
	}
}

// However many different codes an endpoint makes up, the series stay few.
func TestInventedCodesMakeOneSeries(t *testing.T) {
	const platform = "codes-flood"
	for i := range 1000 {
		ObserveRequest(platform, "Act", fmt.Sprintf("Invented.%d", i), time.Millisecond)
		ObserveRequest(platform, "Act", fmt.Sprintf("http_%d", 1000+i), time.Millisecond)
	}
	if n := testutil.CollectAndCount(ExternalRequests); n > 100 {
		t.Fatalf("%d series after 2000 invented codes", n)
	}
	if got := testutil.ToFloat64(ExternalRequests.WithLabelValues(platform, "Act", CodeOther)); got != 2000 {
		t.Errorf("other counted %v, want 2000", got)
	}
}
