package display

import (
	"encoding/json"
	"strings"
	"testing"
)

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

// JSON escapes C1 and bidi controls, and decodes to the same strings.
func TestJSON(t *testing.T) {
	in := map[string]string{"command": "node \u202eevil\u202c.js \u0085 café \u200f"}
	doc, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(doc)
	for _, r := range "\u202e\u202c\u0085\u200f" {
		if strings.ContainsRune(string(got), r) {
			t.Errorf("%q still holds %U", got, r)
		}
	}
	if !strings.Contains(string(got), `\u202e`) || !strings.Contains(string(got), "café") {
		t.Errorf("JSON(%s) = %s", doc, got)
	}
	var back map[string]string
	if err := json.Unmarshal(got, &back); err != nil || back["command"] != in["command"] {
		t.Errorf("decoded %q, %v; want %q", back["command"], err, in["command"])
	}
	if plain := []byte(`{"a":"b"}`); &JSON(plain)[0] != &plain[0] {
		t.Error("a document with nothing to escape was copied")
	}
}

// Invisible characters are escaped like the controls: two names that
// differ by one of them must not look the same.
func TestSafeEscapesInvisibleCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"a\u200bb": `a\u200bb`, "a\ufeffb": `a\ufeffb`, "a\u2028b": `a\u2028b`, "a\u2060b": `a\u2060b`, "a\u200db": `a\u200db`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
		if got := string(JSON([]byte(`"` + in + `"`))); got != `"`+want+`"` {
			t.Errorf("JSON(%q) = %s, want %q", in, got, `"`+want+`"`)
		}
	}
}

// A socket whose owner the system does not say (Windows without the PID,
// Wine's socket table) names no user, never an empty one; another user's
// name is escaped like every name.
func TestUnseen(t *testing.T) {
	for _, tt := range []struct{ user, want string }{
		{"", ":80 is held by a process portguard cannot see"},
		{"alice", ":80 is held by a process of user alice that portguard cannot see"},
		{"x\x1b[2J", `:80 is held by a process of user x\x1b[2J that portguard cannot see`},
	} {
		if got := Unseen(80, tt.user); got != tt.want {
			t.Errorf("Unseen(80, %q) = %q, want %q", tt.user, got, tt.want)
		}
	}
}
