package engine

import (
	"sync"
	"time"

	"github.com/prodlife/product-lifecycle-operator/internal/metrics"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// One process serves every namespace, and its queue is first come, first served: a namespace
// that queues a thousand resources at once (a bulk create, a deletion of everything, a
// thousand failing resources retried) would make a quiet namespace's new resource wait until
// every one of them has had its turn. fairQueue is controller-runtime's priority queue with
// each item's priority lowered by the number of items of its namespace already waiting: a
// namespace with nothing waiting goes ahead of one with a backlog, and a namespace's own
// items keep their order. Nothing is dropped and no namespace is starved: a backlog is worked
// whenever nothing with a higher priority waits. The queue's metrics are the priority
// queue's own (workqueue_depth and the rest), which the alerts read, and
// prodlife_queue_waiting, the backlog of each namespace that has one.
type fairQueue struct {
	priorityqueue.PriorityQueue[reconcile.Request]
	name string // the controller's, for prodlife_queue_waiting

	mu      sync.Mutex
	waiting map[reconcile.Request]bool // added and not yet handed to a worker
	backlog map[string]int             // namespace -> its items waiting
}

// newFairQueue is a controller's NewQueue.
func newFairQueue(name string, limiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request] {
	return &fairQueue{
		PriorityQueue: priorityqueue.New(name, func(o *priorityqueue.Opts[reconcile.Request]) { o.RateLimiter = limiter }),
		name:          name,
		waiting:       map[reconcile.Request]bool{},
		backlog:       map[string]int{},
	}
}

func (q *fairQueue) Add(item reconcile.Request) { q.AddWithOpts(priorityqueue.AddOpts{}, item) }

func (q *fairQueue) AddAfter(item reconcile.Request, d time.Duration) {
	q.AddWithOpts(priorityqueue.AddOpts{After: d}, item)
}

func (q *fairQueue) AddRateLimited(item reconcile.Request) {
	q.AddWithOpts(priorityqueue.AddOpts{RateLimited: true}, item)
}

// AddWithOpts adds each item at its priority less its namespace's backlog, counted before
// the item joins it. An item already waiting keeps the higher of its priorities (the
// priority queue's rule), so a re-add never moves it back.
func (q *fairQueue) AddWithOpts(o priorityqueue.AddOpts, items ...reconcile.Request) {
	for _, item := range items {
		q.mu.Lock()
		ahead := q.backlog[item.Namespace]
		if !q.waiting[item] {
			q.waiting[item] = true
			q.backlog[item.Namespace]++
			metrics.SetQueueWaiting(q.name, item.Namespace, q.backlog[item.Namespace])
		} else {
			ahead-- // itself
		}
		q.mu.Unlock()
		opts := o
		opts.Priority = ptr.To(ptr.Deref(o.Priority, 0) - ahead)
		q.PriorityQueue.AddWithOpts(opts, item)
	}
}

func (q *fairQueue) Get() (reconcile.Request, bool) {
	item, _, shutdown := q.GetWithPriority()
	return item, shutdown
}

// GetWithPriority hands an item to a worker: it leaves its namespace's backlog.
func (q *fairQueue) GetWithPriority() (reconcile.Request, int, bool) {
	item, priority, shutdown := q.PriorityQueue.GetWithPriority()
	if !shutdown {
		q.mu.Lock()
		if q.waiting[item] {
			delete(q.waiting, item)
			if q.backlog[item.Namespace]--; q.backlog[item.Namespace] <= 0 {
				delete(q.backlog, item.Namespace)
			}
			metrics.SetQueueWaiting(q.name, item.Namespace, q.backlog[item.Namespace])
		}
		q.mu.Unlock()
	}
	return item, priority, shutdown
}
