package flipsnack

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

const (
	testKey    = "KEY-4f1d-77ab-secretish"
	testSecret = "SECRET-9c2e-0d41-verysecret"
)

// stubClient points a client with fast retries at handler.
func stubClient(t *testing.T, handler http.HandlerFunc, mod ...func(*Options)) *Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	opts := Options{
		Endpoint:     srv.URL + "/v1/",
		PerSecond:    Unlimited,
		PerMinute:    Unlimited,
		RetryBase:    time.Millisecond,
		MaxRetryWait: time.Second,
	}
	for _, m := range mod {
		m(&opts)
	}
	return NewClientSet(opts).For(testKey, testSecret)
}

// answerWith replies with a fixed body.
func answerWith(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}
