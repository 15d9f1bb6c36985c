package flipsnackfeed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/prodlife/product-lifecycle-operator/api/v1alpha1"
	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/controllers/flipsnackfeed/feedplan"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
	"github.com/prodlife/product-lifecycle-operator/internal/flipsnack"
)

// feedBatch is the most products or SKUs one call carries (feedplan.Batch).
const feedBatch = feedplan.Batch

// deleteBatchesPerReconcile bounds the work of one deleting reconcile, so progress shows in
// the Ready condition ("deleted 1,000 of 10,000 products") while a large feed goes.
const deleteBatchesPerReconcile = 2

// noReadBack is what status.drift says of every feed.
const noReadBack = "Flipsnack has no read action: changes made to this feed outside the operator cannot be detected"

// feedConnector makes Flipsnack clients from a feed's credentials Secret. Every client of
// one apiKey shares the ClientSet's rate budget.
type feedConnector struct {
	clients *flipsnack.ClientSet
	sources *sources      // the feeds' ConfigMaps, shared by every feed
	settled *upToDate     // what each feed's last empty plan was made from
	fresh   client.Reader // the API server itself, uncached
}

func (c feedConnector) Connect(_ context.Context, f *v1alpha1.FlipsnackFeed, secret map[string][]byte, store engine.Store) (engine.External[*v1alpha1.FlipsnackFeed, *feedplan.Plan], error) {
	if missing := engine.MissingKeys(secret, v1alpha1.KindNamed("FlipsnackFeed").CredentialKeys); len(missing) > 0 {
		return nil, &engine.CredentialsError{Reason: fmt.Sprintf(
			"the credentials Secret %q has no %s: it needs the keys %s and %s of the Flipsnack account",
			f.GetCredentialsSecretName(), strings.Join(missing, " or "), v1alpha1.SecretKeyAPIKey, v1alpha1.SecretKeyAPISecret)}
	}
	return &feedExternal{
		client:  c.clients.For(string(secret[v1alpha1.SecretKeyAPIKey]), string(secret[v1alpha1.SecretKeyAPISecret])),
		sources: c.sources,
		settled: c.settled,
		fresh:   c.fresh,
		store:   store,
	}, nil
}

// feedExternal is the FlipsnackFeed adapter. The platform cannot be read back, so "observe"
// compares the desired products with the record, in status, of what was pushed, and
// "update" pushes the difference.
type feedExternal struct {
	client  *flipsnack.Client
	sources *sources
	settled *upToDate
	fresh   client.Reader
	store   engine.Store // the record's checkpoints

	// What this reconcile's Observe planned from: the desired products and the digest of each
	// source, so that a push that leaves nothing to do is remembered (upToDate).
	desiredProducts []feedplan.Product
	sourceSums      [][sha256.Size]byte
}

// generatedSourceHash is the sourceHash of a feed whose spec names none: derived from the
// object's UID, so it is stable for the object's life and unique. It is exactly 64 characters
// ("plo-" and 60 hex digits), because the products/create page says in one version that the
// sourceHash "must be a 64-character identifier" and in another "a maximum 64-character
// identifier": 64 satisfies both. Only a new feed gets one: a feed whose identity is already
// recorded (an older operator chose "plo-" and 32 hex digits) keeps it, since Create is not
// called again, and an adopted spec.sourceHash may be 1 to 64 characters.
func generatedSourceHash(f *v1alpha1.FlipsnackFeed) string {
	sum := sha256.Sum256([]byte(f.GetUID()))
	return "plo-" + hex.EncodeToString(sum[:])[:flipsnack.MaxSourceHash-len("plo-")]
}

func (x *feedExternal) Observe(ctx context.Context, f *v1alpha1.FlipsnackFeed, sourceHash string) (engine.Observation[*feedplan.Plan], error) {
	f.Status.SourceHash = sourceHash
	f.Status.Drift = noReadBack
	// Nothing the plan depends on changed since it was last found empty (a ConfigMap's
	// metadata alone did, say): the same answer, without parsing the catalogue again.
	if s, ok := x.stillUpToDate(ctx, f, sourceHash); ok {
		f.Status.ProductsPushed, f.Status.ProductsPendingDeletion = s.pushed, 0
		plan := &feedplan.Plan{}
		return engine.Observation[*feedplan.Plan]{Exists: true, UpToDate: true, Diff: plan.String(), Plan: plan}, nil
	}
	rec, err := decodeRecord(f.Status.Pushed)
	if err != nil {
		return engine.Observation[*feedplan.Plan]{}, err
	}
	desired, sums, err := x.desired(ctx, f)
	if err != nil {
		return engine.Observation[*feedplan.Plan]{}, err
	}
	x.desiredProducts, x.sourceSums = desired, sums
	plan := feedplan.PlanPush(desired, rec)
	if plan.Empty() {
		x.rememberSettled(f, sourceHash, rec)
	}
	if !plan.Empty() {
		// Creates go before deletes, so the record holds old and new SKUs for a while.
		if err := checkRecordFits(feedplan.ProjectedRecord(rec, desired)); err != nil {
			return engine.Observation[*feedplan.Plan]{}, err
		}
	}
	f.Status.ProductsPushed = int64(rec.Confirmed())
	f.Status.ProductsPendingDeletion = int64(len(plan.Delete))
	// The feed exists for the operator as soon as its sourceHash is chosen: the platform makes
	// it with its first products and has no way to ask whether it is there.
	return engine.Observation[*feedplan.Plan]{Exists: true, UpToDate: plan.Empty(), Diff: plan.String(), Plan: plan}, nil
}

// Lookup finds nothing: Create makes no API call, so an interrupted create left nothing on
// the platform, and creating again chooses the same sourceHash.
func (x *feedExternal) Lookup(context.Context, *v1alpha1.FlipsnackFeed) (string, bool, error) {
	return "", false, nil
}

// Create only chooses the sourceHash; the engine records it before anything is pushed, and
// the first push (Update) makes the feed on the platform.
func (x *feedExternal) Create(_ context.Context, f *v1alpha1.FlipsnackFeed) (engine.Result, error) {
	hash := generatedSourceHash(f)
	f.Status.SourceHash = hash
	return engine.Result{ExternalID: hash, Message: fmt.Sprintf(
		"chose sourceHash %s for this feed; the platform makes the feed with the first products pushed", hash)}, nil
}

// nothingPushed says that no product of the feed ever reached the platform: the record holds
// no SKU, not even one whose push was under way, and no deletion has begun. Such a feed is
// deleted without credentials. (A deletion that emptied the record finishes through Delete,
// which reports what it deleted.)
func nothingPushed(f *v1alpha1.FlipsnackFeed) bool {
	rec, err := decodeRecord(f.Status.Pushed)
	return err == nil && len(rec) == 0 && f.Status.ProductsDeleted == 0
}

// Update pushes the difference Observe found: products.create for new SKUs, products.update
// with only the changed fields, products.delete for SKUs gone from the spec. The record is
// written after every successful call, so a restart resumes where the push stopped.
func (x *feedExternal) Update(ctx context.Context, f *v1alpha1.FlipsnackFeed, sourceHash string, obs engine.Observation[*feedplan.Plan]) (engine.Result, error) {
	plan := obs.Plan
	if plan == nil {
		return engine.Result{}, fmt.Errorf("feed %s: no push plan from Observe", sourceHash)
	}
	rec, err := decodeRecord(f.Status.Pushed)
	if err != nil {
		return engine.Result{}, err
	}
	res := engine.Result{ExternalID: sourceHash}
	skips := skippedSKUs{}

	for _, chunk := range feedplan.Chunks(plan.Create) {
		// The SKUs are recorded as in flight before the call: if its answer is lost or the
		// operator stops before the record is written, a deletion still sees them.
		fresh := map[string]bool{}
		for _, p := range chunk {
			if _, known := rec[p.SKU]; !known {
				fresh[p.SKU] = true
			}
		}
		// A call the account's budget would not let go leaves the record as it is: marking
		// the SKUs and unmarking them would write the whole feed twice at each pass that
		// waits for the budget (feeds sharing an account wait minutes at 60 calls a minute).
		if len(fresh) > 0 {
			if err := x.client.BudgetSpent(flipsnack.ActionCreate); err != nil {
				return res, err
			}
		}
		for sku := range fresh {
			rec[sku] = feedplan.InFlightFields()
		}
		if err := x.save(ctx, f, rec, len(plan.Delete)); err != nil {
			return res, err
		}
		pushed, skipped, err := x.pushNew(ctx, sourceHash, chunk)
		for _, p := range pushed {
			rec[p.SKU] = p.Hashes
		}
		// Skipped SKUs stay in flight: possibly there, sent again next time.
		skips.add(skipped...)
		if err != nil && refused(err) {
			// The platform answered no, so this call made nothing: SKUs first sent by it are not
			// on the platform. SKUs already in flight before it (an earlier create whose answer
			// was lost) may well be, whatever this refusal says: they stay in the record, to be
			// sent again (as an update if the platform says they exist, as a create if it says
			// they do not) and deleted with the feed. Dropping one would leave a product on the
			// platform that no deletion ever removes.
			for _, p := range chunk {
				if feedplan.InFlight(rec[p.SKU]) && fresh[p.SKU] {
					delete(rec, p.SKU)
				}
			}
		}
		if serr := x.save(ctx, f, rec, len(plan.Delete)); serr != nil && err == nil {
			err = serr
		}
		if err != nil {
			return res, err
		}
	}

	for _, chunk := range feedplan.Chunks(plan.Update) {
		partial := make([]json.RawMessage, len(chunk))
		for i, u := range chunk {
			partial[i] = u.Partial
		}
		r, err := x.client.UpdateProducts(ctx, sourceHash, partial)
		if err != nil {
			return res, err
		}
		skipped := skips.add(r.Skipped...)
		for _, u := range chunk {
			if skipped[u.Product.SKU] {
				// Not updated: in flight again, so the next push sends it whole (an update if
				// the platform has it, a create if not).
				rec[u.Product.SKU] = feedplan.InFlightFields()
				continue
			}
			rec[u.Product.SKU] = u.Product.Hashes
		}
		if err := x.save(ctx, f, rec, len(plan.Delete)); err != nil {
			return res, err
		}
	}

	pending := len(plan.Delete)
	if pending > 0 {
		r, err := x.client.DeleteProducts(ctx, sourceHash, plan.Delete, func(deleted []string) error {
			for _, sku := range deleted {
				delete(rec, sku)
			}
			pending -= len(deleted)
			return x.save(ctx, f, rec, pending)
		})
		skips.add(r.Skipped...)
		if err != nil {
			return res, err
		}
	}
	res.Message = plan.String()
	if err := skips.report(f, "products.create/update/delete"); err != nil {
		return res, err
	}
	if feedplan.PlanPush(x.desiredProducts, rec).Empty() {
		x.rememberSettled(f, sourceHash, rec)
	}
	return res, nil
}

// rememberSettled notes that the feed, as Observe read it and with rec (already saved in
// f's status) pushed, has nothing to push.
func (x *feedExternal) rememberSettled(f *v1alpha1.FlipsnackFeed, sourceHash string, rec feedplan.Record) {
	// Hashed here, not by resourceVersion: a push may have written the record under a
	// version f does not know.
	x.settled.put(f, settled{inputs: digestInputs(f, sourceHash, sha256.Sum256(f.Status.Pushed), x.sourceSums), pushed: int64(rec.Confirmed())})
}

// Delete deletes every recorded SKU, a few batches per reconcile, recording each batch as it
// goes: a restart resumes with the SKUs left. A feed that never got a product needs no call.
//
// The batch that empties the record is the exception: its record stays in f, unwritten. The
// engine releases the object right after this pass, and the release is what says nothing is
// left (a release refused as a conflict is tried again at once on a fresh copy); if the
// release fails, the engine's status write at the end of the reconcile stores the empty
// record, and a retry that reads it sends nothing again. A crash before the release, or an
// API server that refuses both writes, resends that batch, as a crash or a refused write
// before its checkpoint would. It saves the API server one write of
// the whole feed per deletion: a feed of 1,000 inline products is about 130 KB, and each
// write of it costs the API server a tenth of a second of CPU (docs/usage.md).
func (x *feedExternal) Delete(ctx context.Context, f *v1alpha1.FlipsnackFeed, sourceHash string) (engine.Result, error) {
	if f.Status.ProductsDeleted > 0 {
		if err := x.readDeletionAgain(ctx, f); err != nil {
			return engine.Result{}, err
		}
	}
	rec, err := decodeRecord(f.Status.Pushed)
	if err != nil {
		return engine.Result{}, err
	}
	res := engine.Result{ExternalID: sourceHash}
	if len(rec) == 0 {
		res.Done = true
		res.Message = "no products were pushed, so there was nothing to delete"
		if n := f.Status.ProductsDeleted; n > 0 {
			// A pass that deleted the last batch, whose release failed: said again.
			res.Message = fmt.Sprintf("deleted %s of %s products", feedplan.Thousands(n), feedplan.Thousands(n))
		}
		return res, nil
	}
	skus := rec.SKUs()
	if max := deleteBatchesPerReconcile * feedBatch; len(skus) > max {
		skus = skus[:max]
	}
	f.Status.ProductsPendingDeletion = int64(len(rec))
	f.Status.DeletionProgress = feedplan.DeletionProgress(f.Status.ProductsDeleted, int64(len(rec)))
	left := len(rec)
	r, err := x.client.DeleteProducts(ctx, sourceHash, skus, func(deleted []string) error {
		// Only SKUs of the record count: a SKU reported under another spelling than the one
		// recorded would otherwise be counted as deleted while its entry stays.
		for _, sku := range deleted {
			if _, ok := rec[sku]; ok {
				delete(rec, sku)
				f.Status.ProductsDeleted++
			}
		}
		if len(rec) == 0 {
			keepUnwritten(f)
			return nil
		}
		return x.save(ctx, f, rec, len(rec))
	})
	total := f.Status.ProductsDeleted + int64(len(rec))
	res.Message = fmt.Sprintf("deleted %s of %s products", feedplan.Thousands(f.Status.ProductsDeleted), feedplan.Thousands(total))
	skips := skippedSKUs{}
	skips.add(r.Skipped...)
	if err != nil {
		return res, err
	}
	if err := skips.report(f, flipsnack.ActionDelete); err != nil {
		// The skipped SKUs stay in the record: the deletion goes on, retried with backoff,
		// and the object is not released while any is left.
		return res, fmt.Errorf("%s; %w", res.Message, err)
	}
	res.Done = len(rec) == 0
	res.Progressed = len(rec) < left
	if !res.Done && !res.Progressed {
		res.Message = fmt.Sprintf("the platform answered, but none of the %s recorded SKUs left went from the record (first: %q)", feedplan.Thousands(int64(len(rec))), rec.SKUs()[0])
	}
	return res, nil
}

// readDeletionAgain replaces the deletion's record in f with the API server's. A deletion
// goes on in the reconcile right after the one that recorded its last batches, and the cache
// may not have seen that record yet: from the cache, those batches would be sent again.
func (x *feedExternal) readDeletionAgain(ctx context.Context, f *v1alpha1.FlipsnackFeed) error {
	if x.fresh == nil {
		return nil
	}
	latest := &v1alpha1.FlipsnackFeed{}
	if err := x.fresh.Get(ctx, client.ObjectKeyFromObject(f), latest); err != nil {
		return fmt.Errorf("reading the deletion's record again: %w", err)
	}
	f.Status.Pushed = latest.Status.Pushed
	f.Status.ProductsDeleted = latest.Status.ProductsDeleted
	f.Status.ProductsPendingDeletion = latest.Status.ProductsPendingDeletion
	f.Status.DeletionProgress = latest.Status.DeletionProgress
	return nil
}

// pushNew creates products and returns those the platform confirmed. SKUs it already has (our
// own push whose answer was lost, or products of an adopted feed) are updated instead. The
// platform refuses a create whole if any SKU exists and an update whole if any SKU is missing,
// so a mixed batch is halved until each part is one or the other: a few extra calls, on a
// path taken only after a crash or an adoption.
func (x *feedExternal) pushNew(ctx context.Context, sourceHash string, products []feedplan.Product) (pushed []feedplan.Product, skipped []string, err error) {
	full := make([]json.RawMessage, len(products))
	for i, p := range products {
		full[i] = p.Full()
	}
	r, err := x.client.CreateProducts(ctx, sourceHash, full)
	if err == nil {
		return applied(products, r.Skipped), r.Skipped, nil
	}
	if !apierr.Is(err, apierr.AlreadyExists) {
		return nil, nil, err
	}
	r, err = x.client.UpdateProducts(ctx, sourceHash, full)
	switch {
	case err == nil:
		return applied(products, r.Skipped), r.Skipped, nil
	case !apierr.Is(err, apierr.NotFound) || len(products) == 1:
		return nil, nil, err
	}
	half := len(products) / 2
	first, skip1, err := x.pushNew(ctx, sourceHash, products[:half])
	if err != nil {
		return first, skip1, err
	}
	second, skip2, err := x.pushNew(ctx, sourceHash, products[half:])
	return append(first, second...), append(skip1, skip2...), err
}

// applied is products less those the platform skipped.
func applied(products []feedplan.Product, skipped []string) []feedplan.Product {
	if len(skipped) == 0 {
		return products
	}
	skip := make(map[string]bool, len(skipped))
	for _, sku := range skipped {
		skip[sku] = true
	}
	out := make([]feedplan.Product, 0, len(products))
	for _, p := range products {
		if !skip[p.SKU] {
			out = append(out, p)
		}
	}
	return out
}

// maxSkippedShown is how many skipped SKUs status.skippedSKUs and the message list.
const maxSkippedShown = 10

// skippedSKUs collects the SKUs the platform answered code 20 for but skipped (listed in
// data.errors; see flipsnack.Result.Skipped). They are never counted as pushed or deleted.
type skippedSKUs map[string]bool

func (s skippedSKUs) add(skus ...string) skippedSKUs {
	for _, sku := range skus {
		s[sku] = true
	}
	return s
}

// report puts the skipped SKUs in status (a count and the first few) and returns an error
// saying so, which the engine shows in the Ready condition and a Warning event and retries
// with backoff; with none skipped it clears them from status and returns nil.
func (s skippedSKUs) report(f *v1alpha1.FlipsnackFeed, action string) error {
	skus := feedplan.SortedKeys(s)
	f.Status.ProductsSkipped = int64(len(skus))
	f.Status.SkippedSKUs = nil
	if len(skus) == 0 {
		return nil
	}
	shown := skus[:min(len(skus), maxSkippedShown)]
	f.Status.SkippedSKUs = shown
	more := ""
	if len(skus) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(skus)-len(shown))
	}
	return &apierr.Error{
		Platform: flipsnack.Platform, Action: action, Class: apierr.Retryable,
		Message: fmt.Sprintf("the platform answered success but skipped %d SKUs (%s%s), listing them in data.errors: they are kept in the record as not done and sent again",
			len(skus), strings.Join(shown, ", "), more),
	}
}

// refused says the platform answered a call with an error code, so the call changed nothing;
// a timeout or a broken connection may have been applied.
func refused(err error) bool {
	var e *apierr.Error
	return errors.As(err, &e) && e.Code != ""
}

// save writes the record and the counts into the object and, at once, into its status on
// the API server, so what was pushed is known even if the reconcile goes no further.
func (x *feedExternal) save(ctx context.Context, f *v1alpha1.FlipsnackFeed, rec feedplan.Record, pendingDeletion int) error {
	blob, err := rec.Encode()
	if err != nil {
		return err
	}
	if len(blob) > feedplan.MaxRecordBytes {
		return recordTooLarge(fmt.Sprintf("%d bytes compressed, more than the %d (768 KiB) status.pushed may take", len(blob), feedplan.MaxRecordBytes))
	}
	pushed, pending := int64(rec.Confirmed()), int64(pendingDeletion)
	progress := f.Status.DeletionProgress
	if f.DeletionTimestamp != nil {
		progress = feedplan.DeletionProgress(f.Status.ProductsDeleted, pending)
	}
	err = x.store.CheckpointStatus(ctx, f, map[string]any{
		"pushed":                  blob,
		"productsPushed":          pushed,
		"productsPendingDeletion": pending,
		"productsDeleted":         f.Status.ProductsDeleted,
		"deletionProgress":        progress,
		"sourceHash":              f.Status.SourceHash,
	})
	if err != nil {
		// The object keeps the record the API server has: the engine's own status write at
		// the end of the reconcile must not carry a record that was just refused.
		if objectTooLarge(err) {
			// Trying again would be refused again: only a smaller feed object helps.
			return &engine.SpecRefusedError{Reason: engine.ReasonInvalidSpec, Message: fmt.Sprintf(
				"the API server refused to store the record of pushed products in status (%v): the object would be too large; make spec.products smaller (move products to productsFrom ConfigMaps) or split the catalogue into several feeds", err)}
		}
		return fmt.Errorf("recording the pushed products in status: %w", err)
	}
	f.Status.Pushed, f.Status.ProductsPushed, f.Status.ProductsPendingDeletion = blob, pushed, pending
	f.Status.DeletionProgress = progress
	return nil
}

// keepUnwritten puts the empty record of a finished deletion in f without writing it (Delete
// says why): the fields save would write, so the engine's status write carries them if the
// release fails.
func keepUnwritten(f *v1alpha1.FlipsnackFeed) {
	f.Status.Pushed = nil // the encoding of an empty record
	f.Status.ProductsPushed, f.Status.ProductsPendingDeletion = 0, 0
	f.Status.DeletionProgress = feedplan.DeletionProgress(f.Status.ProductsDeleted, 0)
}

// desired is every product of the feed, from the spec and from its ConfigMaps, each in the
// platform's field names. It reads no more than the documented limits (v1alpha1.Max...): a
// feed's ConfigMaps are written by namespace users, so each is measured before it is parsed,
// and the count of products is checked as they are read. Any breach is refused whole, before
// a platform call, with the place and what to change.
//
// It returns the digest of each source's content as read, for the record of what the plan
// was made from (upToDate).
func (x *feedExternal) desired(ctx context.Context, f *v1alpha1.FlipsnackFeed) ([]feedplan.Product, [][sha256.Size]byte, error) {
	var out []feedplan.Product
	var sums [][sha256.Size]byte
	seen := map[string]string{}
	add := func(p feedplan.Product, from string) error {
		if prev, dup := seen[p.SKU]; dup {
			return invalidFeed(fmt.Sprintf("SKU %q is in %s and in %s: every SKU of a feed must be unique", p.SKU, prev, from))
		}
		if len(out) == v1alpha1.MaxFeedProducts {
			return &engine.SpecRefusedError{Reason: engine.ReasonTooManyProducts, Message: fmt.Sprintf(
				"too many products: %s brings the feed over %s products (spec.products and every productsFrom ConfigMap together); nothing is pushed until the feed holds at most %s: split the catalogue into several feeds",
				from, feedplan.Thousands(v1alpha1.MaxFeedProducts), feedplan.Thousands(v1alpha1.MaxFeedProducts))}
		}
		seen[p.SKU] = from
		out = append(out, p)
		return nil
	}
	if n := len(f.Spec.ProductsFrom); n > v1alpha1.MaxProductsSources {
		// The CRD refuses this, but an object stored before that limit keeps its spec.
		return nil, nil, invalidFeed(fmt.Sprintf("spec.productsFrom names %d ConfigMaps, more than the %d a feed may read: merge some of them", n, v1alpha1.MaxProductsSources))
	}
	for i, sp := range f.Spec.Products {
		// The CRD refuses these SKUs, but an object stored before that rule keeps its spec.
		where := fmt.Sprintf("spec.products[%d]", i)
		p, err := feedplan.NewProduct(PlatformFields(sp))
		if err != nil {
			return nil, nil, invalidFeed(fmt.Sprintf("%s: %v", where, err))
		}
		if err := add(p, where); err != nil {
			return nil, nil, err
		}
	}
	for _, src := range f.Spec.ProductsFrom {
		items, where, sum, err := x.readSource(ctx, f.Namespace, src.ConfigMap)
		if err != nil {
			return nil, nil, err
		}
		sums = append(sums, sum)
		for i, item := range items {
			p, err := feedplan.NewProduct(item)
			if err != nil {
				return nil, nil, invalidFeed(fmt.Sprintf("%s, product %d: %v", where, i, err))
			}
			if err := add(p, fmt.Sprintf("%s (product %d)", where, i)); err != nil {
				return nil, nil, err
			}
		}
	}
	return out, sums, nil
}

// readSource reads the products of one productsFrom ConfigMap (sources.read measures it
// first), and the digest of its content.
func (x *feedExternal) readSource(ctx context.Context, ns string, ref v1alpha1.ConfigMapProducts) ([]map[string]json.RawMessage, string, [sha256.Size]byte, error) {
	where := fmt.Sprintf("ConfigMap %s key %s", ref.Name, ref.Key)
	data, sum, err := x.sources.read(ctx, ns, ref)
	if err != nil {
		return nil, where, sum, err
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &items); err != nil {
		return nil, where, sum, invalidFeed(fmt.Sprintf("%s is not a JSON array of products: %v", where, err))
	}
	return items, where, sum, nil
}

// objectTooLarge says the API server refused a write because the object would exceed its
// size limit (etcd's request limit, about 1.5 MiB, or the request body limit).
func objectTooLarge(err error) bool {
	return apierrors.IsRequestEntityTooLargeError(err) || strings.Contains(err.Error(), "request is too large")
}

func invalidFeed(msg string) error {
	return &engine.SpecRefusedError{Reason: engine.ReasonInvalidSpec, Message: msg}
}
