package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// exposure is what users and log collectors saw of statuses and events, gathered while the
// scenarios run: a status goes with its object and an event with its namespace, so they are
// kept as they are seen. Each distinct text is kept once, with the first place it was seen.
type exposure struct {
	mu    sync.Mutex
	texts map[string]string // text → where
}

func (e *exposure) addJSON(where string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // statuses and events always encode
	}
	e.add(where, string(b))
}

func (e *exposure) add(where, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.texts == nil {
		e.texts = map[string]string{}
	}
	if _, seen := e.texts[text]; !seen {
		e.texts[text] = where
	}
}

// each calls f for every text kept.
func (e *exposure) each(f func(where, text string)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for text, where := range e.texts {
		f(where, text)
	}
}

// secret is a value that must never be shown, by the name a finding reports it under.
type secret struct{ name, value string }

// tokens splits text into the runs a hex or base64 signature would form; "=" padding is left
// out on both sides of the comparison.
var tokens = regexp.MustCompile(`[A-Za-z0-9+/]{16,}`)

// scanner finds secrets and signatures in text.
type scanner struct {
	secrets    []secret
	signatures map[string]bool // without "=" padding
}

func newScanner(secrets []secret, signatures []string) *scanner {
	s := &scanner{secrets: secrets, signatures: map[string]bool{}}
	for _, sig := range signatures {
		s.signatures[strings.TrimRight(sig, "=")] = true
	}
	return s
}

// scan returns a finding per secret or signature in text, naming where and never the value.
func (s *scanner) scan(where, text string) []string {
	var found []string
	for _, sec := range s.secrets {
		if i := strings.Index(text, sec.value); i >= 0 {
			found = append(found, fmt.Sprintf("%s shows the %s (at %s)", where, sec.name, lineOf(text, i)))
		}
	}
	for _, loc := range tokens.FindAllStringIndex(text, -1) {
		if tok := text[loc[0]:loc[1]]; s.signatures[tok] || s.signatures[strings.ToLower(tok)] {
			found = append(found, fmt.Sprintf("%s shows a request signature (at %s)", where, lineOf(text, loc[0])))
		}
	}
	return found
}

// scanLogs scans every log file under dir.
func (s *scanner) scanLogs(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var found []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return found, err
		}
		found = append(found, s.scan(filepath.Base(f), string(raw))...)
	}
	return found, nil
}

// lineOf names the line of text holding offset i.
func lineOf(text string, i int) string {
	return fmt.Sprintf("line %d", strings.Count(text[:i], "\n")+1)
}
