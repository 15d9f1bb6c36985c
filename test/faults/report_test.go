package faults

import (
	"fmt"
	"strings"
)

// How findings are written: one per line, long lists cut short.

func joinLines(lines []string) string { return strings.Join(lines, "\n  ") }

// abbreviate prints at most limit items of a list.
func abbreviate(items []string, limit int) string {
	if len(items) > limit {
		return fmt.Sprintf("%v and %d more", items[:limit], len(items)-limit)
	}
	return fmt.Sprint(items)
}

// abbreviateLines keeps at most limit lines, saying how many it left out.
func abbreviateLines(lines []string, limit int) []string {
	if len(lines) > limit {
		return append(lines[:limit:limit], fmt.Sprintf("... and %d more", len(lines)-limit))
	}
	return lines
}
