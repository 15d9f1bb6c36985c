package widget

import (
	"context"
	"fmt"
	"strings"

	"github.com/prodlife/product-lifecycle-operator/controllers/engine"
	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Connector is the Widget adapter's connector: credentials → the platform's client.
type Connector struct{ Platform *Platform }

// Connect reads the token from the credentials Secret.
func (c Connector) Connect(_ context.Context, _ *Widget, secret map[string][]byte, _ engine.Store) (engine.External[*Widget, engine.NoPlan], error) {
	if missing := engine.MissingKeys(secret, Kind.CredentialKeys); len(missing) > 0 {
		return nil, &engine.CredentialsError{Reason: "the credentials Secret lacks the key " + strings.Join(missing, ", ")}
	}
	return external{c.Platform.ClientFor(string(secret[SecretKeyToken]))}, nil
}

// external is the five verbs of the lifecycle on a Widget.
type external struct{ c *Client }

func (x external) Observe(_ context.Context, w *Widget, id string) (engine.Observation[engine.NoPlan], error) {
	got, err := x.c.Get(id)
	if err != nil {
		if apierr.Is(err, apierr.NotFound) {
			return engine.Observation[engine.NoPlan]{}, nil
		}
		return engine.Observation[engine.NoPlan]{}, err
	}
	w.Status.ID = got.ID
	var diff []string
	if got.Name != w.Spec.Name {
		diff = append(diff, fmt.Sprintf("name is %q, spec wants %q", got.Name, w.Spec.Name))
	}
	if got.Colour != w.Spec.Colour {
		diff = append(diff, fmt.Sprintf("colour is %q, spec wants %q", got.Colour, w.Spec.Colour))
	}
	return engine.Observation[engine.NoPlan]{Exists: true, UpToDate: len(diff) == 0, Diff: strings.Join(diff, "; ")}, nil
}

func (x external) Lookup(_ context.Context, w *Widget) (string, bool, error) {
	got, ok, err := x.c.FindByName(w.Spec.Name)
	return got.ID, ok, err
}

func (x external) Create(_ context.Context, w *Widget) (engine.Result, error) {
	got, err := x.c.Create(w.Spec.Name, w.Spec.Colour)
	if err != nil {
		return engine.Result{}, err
	}
	w.Status.ID = got.ID
	return engine.Result{ExternalID: got.ID}, nil
}

func (x external) Update(_ context.Context, w *Widget, id string, _ engine.Observation[engine.NoPlan]) (engine.Result, error) {
	return engine.Result{}, x.c.Update(id, w.Spec.Name, w.Spec.Colour)
}

func (x external) Delete(_ context.Context, _ *Widget, id string) (engine.Result, error) {
	if err := x.c.Delete(id); err != nil {
		return engine.Result{}, err
	}
	return engine.Result{Done: true}, nil
}
