// Package display makes text from other processes and from files safe to
// print on a terminal.
//
// A holder's command line, its working directory, a container's name: all
// of it is chosen by whoever started that process or wrote that file, and
// a terminal obeys the control sequences in what it prints (clearing the
// screen, setting the window title, writing the clipboard with OSC 52).
// So every such string goes through Safe before it is printed.
package display

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Safe shows s with every control character escaped: C0 (tab, newline and
// ESC among them), DEL, C1 (U+0080–U+009F, which some terminals obey as
// the 8-bit forms of ESC sequences) and bytes that are not UTF-8, as
// \xNN or \u00NN. Everything else, including non-ASCII text, is kept.
func Safe(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidi(r) {
			return true
		}
		i += size
	}
	return false
}

// isBidi: the Unicode bidirectional controls (embeddings, overrides,
// isolates, marks), which reorder what a terminal shows, so that a
// command line or a source line can read as something it is not.
func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c ||
		isInvisible(r)
}

// isInvisible: characters a terminal shows as nothing, or as a line break
// that is not one: zero-width spaces and joiners, the byte-order mark, the
// line and paragraph separators. Two names that differ by one of them
// look the same.
func isInvisible(r rune) bool {
	return r >= 0x200b && r <= 0x200d || r == 0x2060 || r == 0xfeff || r == 0x2028 || r == 0x2029
}

// JSON escapes, in a JSON document, what Safe escapes and encoding/json
// leaves as it is: C1 controls and the bidirectional controls, written
// \u0085 and \u202e. JSON from portguard is read on terminals too (`ls
// --json | less`); a program that decodes it gets the same strings. Such
// runes occur only inside a document's strings, so each is replaced where
// it is.
func JSON(doc []byte) []byte {
	if !needsJSONEscape(doc) {
		return doc
	}
	out := make([]byte, 0, len(doc)+32)
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		if r >= 0x80 && r <= 0x9f || isBidi(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, doc[i:i+size]...)
		}
		i += size
	}
	return out
}

func needsJSONEscape(doc []byte) bool {
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		if r >= 0x80 && r <= 0x9f || isBidi(r) {
			return true
		}
		i += size
	}
	return false
}

// Unseen is the sentence for a port held by a socket whose process
// portguard cannot see. user is the socket's owner where the system says
// it (another user's socket on Linux), "" where it does not (Windows
// without the PID, Wine's socket table): then no user is named, rather
// than an empty name.
func Unseen(port int, user string) string {
	if user == "" {
		return fmt.Sprintf(":%d is held by a process portguard cannot see", port)
	}
	return fmt.Sprintf(":%d is held by a process of user %s that portguard cannot see", port, Safe(user))
}
