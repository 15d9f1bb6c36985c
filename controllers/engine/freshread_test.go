package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A caller that asks while a read is in flight is not answered by it (that read may predate
// what the caller must see, such as a CRD's deletion), but by the next one; the callers
// waiting together share that one read.
func TestFreshReadNeverAnswersWithAReadThatBeganBeforeTheCaller(t *testing.T) {
	for name, g := range map[string]gathering{"reading at once": {}, "gathering": {wait: 20 * time.Millisecond, full: 4}} {
		t.Run(name, func(t *testing.T) { neverAnswersWithAnEarlierRead(t, g) })
	}
}

func neverAnswersWithAnEarlierRead(t *testing.T, g gathering) {
	var f freshRead[int]
	var reads atomic.Int32
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	read := func(context.Context) (int, error) {
		n := int(reads.Add(1))
		started <- struct{}{}
		if n == 1 {
			<-release
		}
		return n, nil
	}

	first := make(chan int)
	go func() {
		v, _ := f.get(context.Background(), g, read)
		first <- v
	}()
	<-started // read 1 is in flight

	var wg sync.WaitGroup
	later := make([]int, 5)
	for i := range later {
		wg.Go(func() {
			later[i], _ = f.get(context.Background(), g, read)
		})
	}
	waitFor(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.next != nil
	})
	// Let every later caller join the round before it can begin.
	time.Sleep(50 * time.Millisecond)
	close(release)

	if v := <-first; v != 1 {
		t.Fatalf("the first caller got read %d, want 1", v)
	}
	wg.Wait()
	for i, v := range later {
		if v < 2 {
			t.Errorf("caller %d, who asked while read 1 was in flight, was answered by read %d", i, v)
		}
	}
	if n := reads.Load(); n > 3 {
		t.Errorf("%d reads for 6 callers in 2 rounds: the waiting callers did not share one", n)
	}
}

// A caller whose context ends stops waiting; the read goes on for the others.
func TestFreshReadCallerStopsWaitingWhenItsContextEnds(t *testing.T) {
	var f freshRead[int]
	release := make(chan struct{})
	read := func(context.Context) (int, error) { <-release; return 7, nil }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := f.get(ctx, gathering{}, read)
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("get returned no error after its context ended")
	}
	close(release)
	if v, err := f.get(context.Background(), gathering{}, func(context.Context) (int, error) { return 8, nil }); err != nil || v < 7 {
		t.Fatalf("get after the cancelled one: %d, %v", v, err)
	}
}

// A round gathers the callers that come while it waits, and stops waiting as soon as every
// worker waits: a bulk deletion reads once for several objects, and a saturated controller
// is never held up by the wait.
func TestFreshReadGathersCallersAndStopsWaitingWhenEveryWorkerWaits(t *testing.T) {
	var f freshRead[int]
	var reads atomic.Int32
	read := func(context.Context) (int, error) { return int(reads.Add(1)), nil }
	// A wait far longer than the test may take: only the workers filling the round end it.
	g := gathering{wait: time.Hour, full: 3}
	var wg sync.WaitGroup
	got := make([]int, 3)
	for i := range got {
		wg.Go(func() {
			got[i], _ = f.get(context.Background(), g, read)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("three callers with three workers still waiting: a full round did not stop gathering")
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("%d reads for three callers gathered in one round, want 1", n)
	}
	for i, v := range got {
		if v != 1 {
			t.Errorf("caller %d got read %d, want 1", i, v)
		}
	}

	// Fewer callers than workers: the round reads once its wait is over.
	g = gathering{wait: 20 * time.Millisecond, full: 3}
	if v, err := f.get(context.Background(), g, read); err != nil || v != 2 {
		t.Fatalf("a caller alone: read %d, %v; want 2", v, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}
