package recorder

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	eventsv1client "k8s.io/client-go/kubernetes/typed/events/v1"
	"k8s.io/client-go/util/retry"

	"github.com/prodlife/product-lifecycle-operator/internal/kuberetry"
	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
)

// sink is the two calls the recorder makes to the API server.
type sink interface {
	Create(ctx context.Context, ev *eventsv1.Event) error
	Patch(ctx context.Context, namespace, name string, patch []byte) error
}

type apiSink struct{ cl eventsv1client.EventsGetter }

func (a apiSink) Create(ctx context.Context, ev *eventsv1.Event) error {
	_, err := a.cl.Events(ev.Namespace).Create(ctx, ev, metav1.CreateOptions{})
	return err
}

func (a apiSink) Patch(ctx context.Context, namespace, name string, patch []byte) error {
	_, err := a.cl.Events(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// sendRetry is how a send the API server could not answer is tried again: about 3 seconds in
// all, while the shard's later events wait in its queue.
var sendRetry = wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Jitter: 0.1, Steps: 4}

// create sends a new event and reports whether the API server has it.
func (sh *shard) create(ctx context.Context, ev *eventsv1.Event) bool {
	err := retry.OnError(sendRetry, kuberetry.Retriable, func() error { return sh.sink.Create(ctx, ev) })
	if err == nil || apierrors.IsAlreadyExists(err) {
		return true
	}
	sh.dropped(err, ev)
	return false
}

// patchSeries writes an event's series (its count and when it last happened) and reports
// whether the API server has it. An event the API server no longer has (events expire, an
// hour by default) is made again, series and all.
func (sh *shard) patchSeries(ctx context.Context, ev *eventsv1.Event) bool {
	patch, err := json.Marshal(map[string]any{"series": ev.Series})
	if err != nil {
		sh.log.Error(err, "Not writing the count of an event")
		return false
	}
	err = retry.OnError(sendRetry, kuberetry.Retriable, func() error { return sh.sink.Patch(ctx, ev.Namespace, ev.Name, patch) })
	if apierrors.IsNotFound(err) {
		return sh.create(ctx, ev)
	}
	if err != nil {
		sh.dropped(err, ev)
		return false
	}
	return true
}

// dropped counts an event the API server did not take. One a terminating namespace refuses is
// expected (its objects are being deleted with it) and only counted.
func (sh *shard) dropped(err error, ev *eventsv1.Event) {
	switch {
	case apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		metrics.RecordEventDropped(metrics.EventNamespaceTerminating)
	case kuberetry.Retriable(err) || ctxDone(err):
		metrics.RecordEventDropped(metrics.EventUnreachable)
		sh.log.Error(err, "Dropping an event the API server did not answer", "object", ev.Regarding.Namespace+"/"+ev.Regarding.Name, "reason", ev.Reason)
	default:
		metrics.RecordEventDropped(metrics.EventRefused)
		sh.log.Error(err, "Dropping an event the API server refused", "object", ev.Regarding.Namespace+"/"+ev.Regarding.Name, "reason", ev.Reason)
	}
}

func ctxDone(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
