package serving

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// fakeAPIServer answers TokenReviews from tokens and SubjectAccessReviews from allowed
// (username + " " + verb + " " + path), and records what it was asked.
type fakeAPIServer struct {
	tokens     map[string]authenticationv1.UserInfo
	allowed    map[string]bool
	denied     map[string]bool
	fail       error
	failures   int // the first failures answers of each kind are fail, then answers
	tokenAsks  []string
	accessAsks []authorizationv1.SubjectAccessReviewSpec
}

type fakeTokens struct{ *fakeAPIServer }

func (f fakeTokens) Create(_ context.Context, r *authenticationv1.TokenReview, _ metav1.CreateOptions) (*authenticationv1.TokenReview, error) {
	f.tokenAsks = append(f.tokenAsks, r.Spec.Token)
	if f.fail != nil && (f.failures == 0 || len(f.tokenAsks) <= f.failures) {
		return nil, f.fail
	}
	out := r.DeepCopy()
	switch user, ok := f.tokens[r.Spec.Token]; {
	case ok:
		out.Status = authenticationv1.TokenReviewStatus{Authenticated: true, User: user}
	case r.Spec.Token == "token-while-the-authenticator-fails":
		out.Status = authenticationv1.TokenReviewStatus{Error: "webhook authenticator: connection refused"}
	}
	return out, nil
}

type fakeReviews struct{ *fakeAPIServer }

func (f fakeReviews) Create(_ context.Context, r *authorizationv1.SubjectAccessReview, _ metav1.CreateOptions) (*authorizationv1.SubjectAccessReview, error) {
	f.accessAsks = append(f.accessAsks, r.Spec)
	if f.fail != nil && (f.failures == 0 || len(f.accessAsks) <= f.failures) {
		return nil, f.fail
	}
	out := r.DeepCopy()
	key := r.Spec.User + " " + r.Spec.NonResourceAttributes.Verb + " " + r.Spec.NonResourceAttributes.Path
	out.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: f.allowed[key], Denied: f.denied[key]}
	return out, nil
}

func newFakeAccess(api *fakeAPIServer) http.Handler {
	a := newScrapeAccess(fakeTokens{api}, fakeReviews{api})
	a.retry = wait.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 5}
	h, err := a.filter(logr.Discard(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "prodlife_metrics")
	}))
	if err != nil {
		panic(err)
	}
	return h
}

func scrape(h http.Handler, method, path, authorization string) (int, string) {
	req := httptest.NewRequest(method, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

var (
	scraper = authenticationv1.UserInfo{
		Username: "system:serviceaccount:monitoring:prometheus", UID: "u-1",
		Groups: []string{"system:serviceaccounts", "system:authenticated"},
		Extra:  map[string]authenticationv1.ExtraValue{"authentication.kubernetes.io/pod-name": {"prometheus-0"}},
	}
	stranger = authenticationv1.UserInfo{Username: "system:serviceaccount:team-a:default", UID: "u-2"}
)

func newAPI() *fakeAPIServer {
	return &fakeAPIServer{
		tokens:  map[string]authenticationv1.UserInfo{"scraper-token": scraper, "stranger-token": stranger},
		allowed: map[string]bool{scraper.Username + " get /metrics": true},
		denied:  map[string]bool{},
	}
}

// Only a bearer token the API server vouches for, whose user RBAC allows, gets the metrics;
// every other caller is refused with the status a scraper's operator can act on, and the
// metrics handler is never reached.
func TestScrapesAreServedOnlyToAuthenticatedAuthorizedCallers(t *testing.T) {
	for _, tt := range []struct {
		who, method, authorization string
		want                       int
		tokenReviews, accessAsks   int
	}{
		{"no Authorization header", http.MethodGet, "", http.StatusUnauthorized, 0, 0},
		{"basic credentials", http.MethodGet, "Basic c2NyYXBlcjpwdw==", http.StatusUnauthorized, 0, 0},
		{"an empty bearer token", http.MethodGet, "Bearer ", http.StatusUnauthorized, 0, 0},
		{"a token the API server does not know", http.MethodGet, "Bearer made-up", http.StatusUnauthorized, 1, 0},
		{"a user without the grant", http.MethodGet, "Bearer stranger-token", http.StatusForbidden, 1, 1},
		{"the scraper, scheme in lower case", http.MethodGet, "bearer scraper-token", http.StatusOK, 1, 1},
		{"the scraper with a verb it is not granted", http.MethodPost, "Bearer scraper-token", http.StatusForbidden, 1, 1},
	} {
		api := newAPI()
		status, body := scrape(newFakeAccess(api), tt.method, "/metrics", tt.authorization)
		if status != tt.want || (status == http.StatusOK) != strings.Contains(body, "prodlife_") {
			t.Errorf("%s: HTTP %d %q, want %d (metrics only with 200)", tt.who, status, body, tt.want)
		}
		if len(api.tokenAsks) != tt.tokenReviews || len(api.accessAsks) != tt.accessAsks {
			t.Errorf("%s: %d TokenReviews and %d SubjectAccessReviews, want %d and %d", tt.who, len(api.tokenAsks), len(api.accessAsks), tt.tokenReviews, tt.accessAsks)
		}
	}
}

// The SubjectAccessReview asks about the whole identity the TokenReview returned and the
// request's own path and verb, as a non-resource URL.
func TestTheAccessReviewNamesTheWholeUserAndTheRequest(t *testing.T) {
	api := newAPI()
	scrape(newFakeAccess(api), http.MethodGet, "/metrics", "Bearer scraper-token")
	want := authorizationv1.SubjectAccessReviewSpec{
		User: scraper.Username, UID: scraper.UID, Groups: scraper.Groups,
		Extra:                 map[string]authorizationv1.ExtraValue{"authentication.kubernetes.io/pod-name": {"prometheus-0"}},
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "get"},
	}
	if len(api.accessAsks) != 1 || !reflect.DeepEqual(api.accessAsks[0], want) {
		t.Fatalf("asked %+v, want %+v", api.accessAsks, want)
	}
}

// An explicit deny wins over an allow, as the API server's authorizer chain has it.
func TestAnExplicitDenyRefusesTheScrape(t *testing.T) {
	api := newAPI()
	api.denied[scraper.Username+" get /metrics"] = true
	if status, _ := scrape(newFakeAccess(api), http.MethodGet, "/metrics", "Bearer scraper-token"); status != http.StatusForbidden {
		t.Errorf("HTTP %d, want 403", status)
	}
}

// Prometheus scrapes every few seconds: the answers are reused, each for its own caller and
// path, so a scrape costs the API server nothing most of the time and one caller's grant never
// serves another.
func TestAnswersAreReusedOnlyForTheSameTokenUserAndPath(t *testing.T) {
	api := newAPI()
	h := newFakeAccess(api)
	for range 3 {
		if status, _ := scrape(h, http.MethodGet, "/metrics", "Bearer scraper-token"); status != http.StatusOK {
			t.Fatalf("scraper: HTTP %d", status)
		}
		if status, _ := scrape(h, http.MethodGet, "/metrics", "Bearer stranger-token"); status != http.StatusForbidden {
			t.Fatalf("stranger: HTTP %d", status)
		}
		if status, _ := scrape(h, http.MethodGet, "/metrics", "Bearer made-up"); status != http.StatusUnauthorized {
			t.Fatalf("made-up token: HTTP %d", status)
		}
	}
	if status, _ := scrape(h, http.MethodGet, "/debug", "Bearer scraper-token"); status != http.StatusForbidden {
		t.Errorf("scraper on a path it is not granted: HTTP %d, want 403", status)
	}
	if len(api.tokenAsks) != 3 || len(api.accessAsks) != 3 {
		t.Errorf("%d TokenReviews and %d SubjectAccessReviews for 3 tokens and 3 (user, path) pairs; want 3 and 3", len(api.tokenAsks), len(api.accessAsks))
	}
}

// When the API server cannot be asked the scrape is refused with 500, the token appears
// nowhere in the answer, and nothing is remembered: the next scrape asks again.
func TestAnAPIServerThatCannotAnswerRefusesAndIsAskedAgain(t *testing.T) {
	api := newAPI()
	api.fail = errors.New("connection refused")
	h := newFakeAccess(api)
	for range 2 {
		status, body := scrape(h, http.MethodGet, "/metrics", "Bearer scraper-token")
		if status != http.StatusInternalServerError || strings.Contains(body, "scraper-token") || strings.Contains(body, "prodlife_") {
			t.Errorf("HTTP %d %q, want 500 without the token or metrics", status, body)
		}
	}
	if len(api.tokenAsks) != 2 {
		t.Errorf("%d TokenReviews for 2 scrapes, want 2 (a failure is not remembered)", len(api.tokenAsks))
	}
	api.fail = nil
	if status, _ := scrape(h, http.MethodGet, "/metrics", "Bearer scraper-token"); status != http.StatusOK {
		t.Errorf("after the API server came back: HTTP %d, want 200", status)
	}
}

// A caller who sends one made-up token after another costs TokenReviews, but the manager
// remembers a bounded number of answers.
func TestMadeUpTokensDoNotGrowTheCache(t *testing.T) {
	api := newAPI()
	a := newScrapeAccess(fakeTokens{api}, fakeReviews{api})
	for i := range 3 * cachedAnswers {
		if _, err := a.authenticate(context.Background(), fmt.Sprintf("made-up-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(a.users.Keys()); n > cachedAnswers {
		t.Errorf("%d answers remembered, want at most %d", n, cachedAnswers)
	}
}

// A moment of API server trouble (busy, failing inside) is tried again within the scrape;
// an API server that keeps failing refuses the scrape after a few tries.
func TestAReviewTheAPIServerCouldNotAnswerIsTriedAgain(t *testing.T) {
	api := newAPI()
	api.fail = apierrors.NewServiceUnavailable("etcd leader changed")
	api.failures = 2
	if status, _ := scrape(newFakeAccess(api), http.MethodGet, "/metrics", "Bearer scraper-token"); status != http.StatusOK {
		t.Errorf("HTTP %d after two unavailable answers, want 200", status)
	}
	if len(api.tokenAsks) != 3 || len(api.accessAsks) != 3 {
		t.Errorf("%d TokenReviews and %d SubjectAccessReviews, want 3 and 3 (two failures each, then the answer)", len(api.tokenAsks), len(api.accessAsks))
	}

	api = newAPI()
	api.fail = apierrors.NewTooManyRequests("slow down", 1)
	if status, _ := scrape(newFakeAccess(api), http.MethodGet, "/metrics", "Bearer scraper-token"); status != http.StatusInternalServerError {
		t.Errorf("HTTP %d from an API server that never answers, want 500", status)
	}
	if len(api.tokenAsks) != 5 {
		t.Errorf("%d TokenReviews, want 5 (every try of the backoff)", len(api.tokenAsks))
	}
}

// A refusal that says the API server's authenticator failed is not remembered: the token may
// be good, and the next scrape asks again.
func TestARefusalWithAnErrorIsNotRemembered(t *testing.T) {
	api := newAPI()
	h := newFakeAccess(api)
	for range 2 {
		if status, _ := scrape(h, http.MethodGet, "/metrics", "Bearer token-while-the-authenticator-fails"); status != http.StatusUnauthorized {
			t.Errorf("HTTP %d, want 401", status)
		}
	}
	if len(api.tokenAsks) != 2 {
		t.Errorf("%d TokenReviews for 2 scrapes, want 2", len(api.tokenAsks))
	}
}
