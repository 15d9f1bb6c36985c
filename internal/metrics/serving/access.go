package serving

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-logr/logr"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/apimachinery/pkg/util/wait"
	authenticationclient "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authorizationclient "k8s.io/client-go/kubernetes/typed/authorization/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/retry"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/prodlife/product-lifecycle-operator/internal/kuberetry"
)

// How long an answer of the API server stands. As controller-runtime's
// filters.WithAuthenticationAndAuthorization keeps them: a token vouched for, 1 minute; RBAC
// allowing, 5 minutes; RBAC refusing, 30 seconds. Unlike it: a token refused without an error
// is asked about again after 10 seconds (it kept refusals 1 minute), one refused with an error
// in the review's status (the API server's authenticator failing) is not kept at all, and each
// cache holds 1,024 answers at most (its token cache had no bound), so a caller sending made-up
// tokens costs the manager TokenReviews, never memory.
const (
	userTTL        = time.Minute
	strangerTTL    = 10 * time.Second
	allowTTL       = 5 * time.Minute
	denyTTL        = 30 * time.Second
	cachedAnswers  = 1024
	reviewDeadline = 10 * time.Second
)

// reviewRetry is how a review the API server could not answer is tried again, within
// reviewDeadline: the backoff controller-runtime's filter uses (about 4 s in all), so a
// moment of API server trouble does not fail a scrape.
var reviewRetry = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 5}

// tokenReviewer and accessReviewer are the one call each of client-go's typed clients that a
// scrape's check makes.
type tokenReviewer interface {
	Create(ctx context.Context, review *authenticationv1.TokenReview, opts metav1.CreateOptions) (*authenticationv1.TokenReview, error)
}

type accessReviewer interface {
	Create(ctx context.Context, review *authorizationv1.SubjectAccessReview, opts metav1.CreateOptions) (*authorizationv1.SubjectAccessReview, error)
}

// scrapeAccess asks the API server the two questions controller-runtime's
// filters.WithAuthenticationAndAuthorization asks of each scrape: whose bearer token it is
// (TokenReview), and whether RBAC lets them get the path (SubjectAccessReview, a non-resource
// URL). It is ours because that filter builds on k8s.io/apiserver, which links CEL and its
// parser into the manager: 29 MB of the stripped binary's 64 and 16 MiB of its resident
// memory at rest, a quarter of the fixed part test/bench/RESULTS.md measures.
type scrapeAccess struct {
	tokens  tokenReviewer
	reviews accessReviewer
	users   *cache.LRUExpireCache // sha256 of a token -> *authenticationv1.UserInfo, nil if refused
	grants  *cache.LRUExpireCache // grantKey -> bool
	retry   wait.Backoff
}

// accessFilter is the metrics server's FilterProvider when the endpoint is secure.
func accessFilter(cfg *rest.Config, httpClient *http.Client) (metricsserver.Filter, error) {
	authn, err := authenticationclient.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	authz, err := authorizationclient.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	return newScrapeAccess(authn.TokenReviews(), authz.SubjectAccessReviews()).filter, nil
}

func newScrapeAccess(tokens tokenReviewer, reviews accessReviewer) *scrapeAccess {
	return &scrapeAccess{
		tokens:  tokens,
		reviews: reviews,
		users:   cache.NewLRUExpireCache(cachedAnswers),
		grants:  cache.NewLRUExpireCache(cachedAnswers),
		retry:   reviewRetry,
	}
}

// filter answers 401 without a token the API server vouches for, 403 when RBAC does not allow
// the request, 500 when the API server could not be asked (and says so in the log, never the
// token), and otherwise serves the metrics.
func (a *scrapeAccess) filter(log logr.Logger, next http.Handler) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		token, ok := bearerToken(req)
		if !ok {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		ctx, cancel := context.WithTimeout(req.Context(), reviewDeadline)
		defer cancel()
		user, err := a.authenticate(ctx, token)
		if err != nil {
			log.Error(err, "Authentication failed")
			http.Error(w, "Authentication failed", http.StatusInternalServerError)
			return
		}
		if user == nil {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		verb, path := strings.ToLower(req.Method), req.URL.Path
		allowed, err := a.authorize(ctx, user, verb, path)
		if err != nil {
			msg := fmt.Sprintf("Authorization for user %s failed", user.Username)
			log.Error(err, msg)
			http.Error(w, msg, http.StatusInternalServerError)
			return
		}
		if !allowed {
			msg := fmt.Sprintf("Authorization denied for user %s", user.Username)
			log.V(4).Info(msg, "verb", verb, "path", path)
			http.Error(w, msg, http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, req)
	}), nil
}

// bearerToken reads "Authorization: Bearer <token>" the way the API server's own
// authenticator does (k8s.io/apiserver's request/bearertoken): the scheme in any case, one
// space, a token that is not empty.
func bearerToken(req *http.Request) (string, bool) {
	parts := strings.SplitN(strings.TrimSpace(req.Header.Get("Authorization")), " ", 3)
	if len(parts) < 2 || !strings.EqualFold(parts[0], "bearer") || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// authenticate returns who the API server says token belongs to, or nil when it vouches for
// no one. The cache is keyed by the token's hash, so no token is kept in memory.
func (a *scrapeAccess) authenticate(ctx context.Context, token string) (*authenticationv1.UserInfo, error) {
	key := sha256.Sum256([]byte(token))
	if cached, ok := a.users.Get(key); ok {
		return cached.(*authenticationv1.UserInfo), nil
	}
	var review *authenticationv1.TokenReview
	err := retry.OnError(a.retry, kuberetry.Retriable, func() (err error) {
		review, err = a.tokens.Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token}}, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("TokenReview: %w", err)
	}
	if !review.Status.Authenticated {
		if review.Status.Error == "" {
			a.users.Add(key, (*authenticationv1.UserInfo)(nil), strangerTTL)
		}
		return nil, nil
	}
	user := review.Status.User
	a.users.Add(key, &user, userTTL)
	return &user, nil
}

// authorize returns whether RBAC (or whichever authorizer the API server runs) allows user
// verb on the non-resource URL path.
func (a *scrapeAccess) authorize(ctx context.Context, user *authenticationv1.UserInfo, verb, path string) (bool, error) {
	key := grantKey(user, verb, path)
	if cached, ok := a.grants.Get(key); ok {
		return cached.(bool), nil
	}
	extra := make(map[string]authorizationv1.ExtraValue, len(user.Extra))
	for k, v := range user.Extra {
		extra[k] = authorizationv1.ExtraValue(v)
	}
	ask := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User:                  user.Username,
		UID:                   user.UID,
		Groups:                user.Groups,
		Extra:                 extra,
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: path, Verb: verb},
	}}
	var review *authorizationv1.SubjectAccessReview
	err := retry.OnError(a.retry, kuberetry.Retriable, func() (err error) {
		review, err = a.reviews.Create(ctx, ask, metav1.CreateOptions{})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("SubjectAccessReview: %w", err)
	}
	allowed := review.Status.Allowed && !review.Status.Denied
	ttl := denyTTL
	if allowed {
		ttl = allowTTL
	}
	a.grants.Add(key, allowed, ttl)
	return allowed, nil
}

// grantKey names everything a SubjectAccessReview is asked about, so two users or two paths
// never share an answer.
func grantKey(user *authenticationv1.UserInfo, verb, path string) [sha256.Size]byte {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	field(user.Username)
	field(user.UID)
	field(verb)
	field(path)
	groups := slices.Clone(user.Groups)
	slices.Sort(groups)
	fmt.Fprintf(h, "%d groups", len(groups))
	for _, g := range groups {
		field(g)
	}
	keys := make([]string, 0, len(user.Extra))
	for k := range user.Extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintf(h, "%d extra", len(keys))
	for _, k := range keys {
		field(k)
		fmt.Fprintf(h, "%d values", len(user.Extra[k]))
		for _, v := range user.Extra[k] {
			field(v)
		}
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}
