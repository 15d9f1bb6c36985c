package faults

import (
	"context"
	"testing"
	"time"
)

// The checks (checks_test.go) applied at the end of each phase of a scenario.

// checkCreated checks the platforms against the scenario's objects, all Ready, and returns
// what the final checks need of them.
func (s *suite) checkCreated(t *testing.T, scenario, deletedNamespace string) []tracked {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := s.list(ctx, scenario)
	if err != nil {
		t.Fatal(err)
	}
	objs := track(v, deletedNamespace)
	// Read now, the events too, before a namespace deletion takes some along.
	r := s.read(t)
	if problems := checkCreated(objs, r); len(problems) > 0 {
		s.failWithDiagnosis(t, v, "after every object became Ready:\n  "+joinLines(problems))
	}
	t.Logf("created; so far %s; %d products taken over after a lost create answer (Adopted events)", s.faultsSeen(t), r.eventReasons["Adopted"])
	return objs
}

// checkDeleted runs the final checks once every object is gone.
func (s *suite) checkDeleted(t *testing.T, objs []tracked) {
	t.Helper()
	r := s.read(t)
	var problems []string
	problems = append(problems, leftovers(r)...)
	problems = append(problems, duplicates(objs, r)...)
	unreportedProblems, withoutEvent := unreported(objs, r)
	problems = append(problems, unreportedProblems...)
	if len(withoutEvent) > 0 {
		// Not a failure: the platform shows the deletion. Most likely the manager was killed
		// between releasing the object and sending its event.
		t.Logf("%d deletion(s) reported only by the platform, without a Deleted event: %s", len(withoutEvent), abbreviate(withoutEvent, 10))
	}
	if len(problems) > 0 {
		t.Errorf("after every object was deleted (seed %d):\n  %s", s.seed, joinLines(problems))
	}
	t.Logf("deleted; so far %s", s.faultsSeen(t))
}
