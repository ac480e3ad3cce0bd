package display

import "testing"

func TestSafe(t *testing.T) {
	tests := map[string]string{
		"node server.js":     "node server.js",
		"café ☕ 東京":          "café ☕ 東京",
		"\x1b[2J\x1b[H":      `\x1b[2J\x1b[H`,
		"\x1b]52;c;aGk=\x07": `\x1b]52;c;aGk=\x07`,
		"\x1b]0;title\x1b\\": `\x1b]0;title\x1b\`,
		"a\nb\tc\rd":         `a\x0ab\x09c\x0dd`,
		"\u009b31m":          `\u009b31m`,
		"\x9b31m":            `\x9b31m`,
		"del\x7f":            `del\x7f`,
		"rm \u202eexe.sh":    `rm \u202eexe.sh`,
		"a\u2066b\u2069":     `a\u2066b\u2069`,
		`C:\Users\ana`:       `C:\Users\ana`,
		"bad \xff\xfe utf-8": `bad \xff\xfe utf-8`,
	}
	for in, want := range tests {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}
