package widget

import (
	"fmt"
	"sync"

	"github.com/prodlife/product-lifecycle-operator/internal/apierr"
)

// Platform is the test platform: widgets in accounts, each account reached by its token.
// A widget's name is unique in its account. Faults make the next calls of an action fail,
// or apply them and lose the answer. It is safe for concurrent use.
type Platform struct {
	mu       sync.Mutex
	accounts map[string]string // token → account
	widgets  map[string]Product
	next     int
	calls    []Call
	faults   map[string][]fault
}

// Product is a widget as the platform holds it.
type Product struct {
	ID, Account, Name, Colour string
}

// Call is one call the platform answered: the action, the widget and whether it failed.
type Call struct {
	Action, ID string
	Failed     bool
}

// fault is what the next call of an action does instead of answering.
type fault struct {
	err  *apierr.Error
	lose bool // apply the call, then answer err as if the answer was lost
}

// NewPlatform is a platform whose accounts are reached by these tokens.
func NewPlatform(tokens map[string]string) *Platform {
	return &Platform{accounts: tokens, widgets: map[string]Product{}, faults: map[string][]fault{}}
}

// Reset forgets every widget, call and fault.
func (p *Platform) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.widgets, p.calls, p.faults, p.next = map[string]Product{}, nil, map[string][]fault{}, 0
}

// Fail makes the next call of action answer err.
func (p *Platform) Fail(action string, err *apierr.Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[action] = append(p.faults[action], fault{err: err})
}

// LoseAnswer makes the next call of action take effect and then answer a timeout.
func (p *Platform) LoseAnswer(action string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[action] = append(p.faults[action], fault{lose: true,
		err: &apierr.Error{Platform: "widget", Action: action, Class: apierr.Retryable, Message: "timeout: no answer"}})
}

// Add makes a widget outside the operator, as a person in the platform's console would.
func (p *Platform) Add(account, name, colour string) Product {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.add(account, name, colour)
}

// Change renames or repaints a widget outside the operator (drift).
func (p *Platform) Change(id, name, colour string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.widgets[id]
	w.Name, w.Colour = name, colour
	p.widgets[id] = w
}

// Remove deletes a widget outside the operator.
func (p *Platform) Remove(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.widgets, id)
}

// Widgets returns every widget by ID.
func (p *Platform) Widgets() map[string]Product {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]Product, len(p.widgets))
	for id, w := range p.widgets {
		out[id] = w
	}
	return out
}

// Calls returns every call answered so far, oldest first.
func (p *Platform) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls...)
}

func (p *Platform) add(account, name, colour string) Product {
	p.next++
	w := Product{ID: fmt.Sprintf("w%04d", p.next), Account: account, Name: name, Colour: colour}
	p.widgets[w.ID] = w
	return w
}

// Client is the platform as one token reaches it: the "client package" of a real platform.
type Client struct {
	p     *Platform
	token string
}

// ClientFor returns the client of token. Like a real platform's, it checks the token on
// every call, not here: an unknown one is answered TerminalAuth.
func (p *Platform) ClientFor(token string) *Client { return &Client{p: p, token: token} }

// call runs one action under the platform's lock: the token checked, then the next fault of
// the action, then the action with the caller's account.
func (c *Client) call(action, id string, do func(account string) error) error {
	p := c.p
	p.mu.Lock()
	defer p.mu.Unlock()
	account, known := p.accounts[c.token]
	var f *fault
	if q := p.faults[action]; len(q) > 0 && known {
		f, p.faults[action] = &q[0], q[1:]
	}
	var err error
	switch {
	case !known:
		err = &apierr.Error{Platform: "widget", Action: action, Class: apierr.TerminalAuth, Code: "InvalidToken", Message: "the token is not valid"}
	case f != nil && !f.lose:
		err = f.err
	case f != nil:
		_ = do(account)
		err = f.err
	default:
		err = do(account)
	}
	p.calls = append(p.calls, Call{Action: action, ID: id, Failed: err != nil})
	return err
}

func notFound(action, id string) error {
	return &apierr.Error{Platform: "widget", Action: action, Class: apierr.NotFound, Code: "NoSuchWidget", Message: "no widget " + id}
}

// Get reads a widget of the account.
func (c *Client) Get(id string) (Product, error) {
	var w Product
	err := c.call("Get", id, func(account string) error {
		found, ok := c.p.widgets[id]
		if !ok || found.Account != account {
			return notFound("Get", id)
		}
		w = found
		return nil
	})
	return w, err
}

// FindByName finds the account's widget of that name.
func (c *Client) FindByName(name string) (Product, bool, error) {
	var w Product
	var ok bool
	err := c.call("FindByName", "", func(account string) error {
		for _, found := range c.p.widgets {
			if found.Account == account && found.Name == name {
				w, ok = found, true
			}
		}
		return nil
	})
	return w, ok, err
}

// Create makes a widget; a name already taken in the account is AlreadyExists.
func (c *Client) Create(name, colour string) (Product, error) {
	var w Product
	err := c.call("Create", "", func(account string) error {
		for _, found := range c.p.widgets {
			if found.Account == account && found.Name == name {
				return &apierr.Error{Platform: "widget", Action: "Create", Class: apierr.AlreadyExists, Code: "NameTaken", Message: "name " + name + " is taken"}
			}
		}
		w = c.p.add(account, name, colour)
		return nil
	})
	return w, err
}

// Update renames and repaints a widget.
func (c *Client) Update(id, name, colour string) error {
	return c.call("Update", id, func(account string) error {
		w, ok := c.p.widgets[id]
		if !ok || w.Account != account {
			return notFound("Update", id)
		}
		w.Name, w.Colour = name, colour
		c.p.widgets[id] = w
		return nil
	})
}

// Delete deletes a widget.
func (c *Client) Delete(id string) error {
	return c.call("Delete", id, func(account string) error {
		w, ok := c.p.widgets[id]
		if !ok || w.Account != account {
			return notFound("Delete", id)
		}
		delete(c.p.widgets, id)
		return nil
	})
}
