//go:build linux

package main

import (
	"os"
	"testing"
)

// docs/performance.md shows the table bench/run wrote to
// docs/performance-table.md, unchanged: neither is edited by hand.
func TestPerformancePageIncludesTheTable(t *testing.T) {
	page, err := os.ReadFile("../../docs/performance.md")
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(tableFile("../../docs/performance.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := include(string(page), string(table))
	if err != nil {
		t.Fatal(err)
	}
	if want != string(page) {
		t.Fatal("docs/performance.md does not show docs/performance-table.md as bench/run wrote it; run bench/run -docs docs/performance.md on a quiet machine")
	}
}
