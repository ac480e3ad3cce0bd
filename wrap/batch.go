package wrap

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// On Windows npm, npx, yarn and pnpm are batch files (npm.cmd). A batch
// file runs in cmd.exe, which reads its command line with rules of its
// own before the script's arguments are split: & | < > ^ outside quotes
// start other commands or redirections, and %NAME% is expanded even
// inside quotes. Go quotes arguments only for CommandLineToArgvW, so a
// typed argument such as `"&calc` or `%PATH%` would be interpreted by
// cmd.exe ("BatBadBut"). portguard builds the whole cmd.exe command line
// itself instead, so that every argument reaches the script as written.

// IsBatch reports whether path is a batch file, which Windows runs
// through cmd.exe.
func IsBatch(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".cmd" || ext == ".bat"
}

// ErrBatchArgument is an argument cmd.exe cannot pass to a batch file
// unchanged: a line break ends cmd's command, and NUL ends the string.
var ErrBatchArgument = errors.New("cmd.exe cannot pass it to a batch file unchanged")

// BatchCommandLine is the command line that runs the batch file script
// with args through comspec (cmd.exe): /d skips AutoRun commands, /e:ON
// and /v:OFF fix the extension and delayed-expansion settings that the
// escaping below assumes, and /c with the whole rest in one pair of
// quotes is cmd's "take the rest literally" form.
func BatchCommandLine(comspec, script string, args []string) (string, error) {
	if strings.ContainsAny(script, "\"\x00\r\n") {
		return "", fmt.Errorf("batch file %q: its path holds a character %w", script, ErrBatchArgument)
	}
	var b strings.Builder
	b.WriteString(quoteArg(comspec))
	b.WriteString(` /d /e:ON /v:OFF /c "`)
	b.WriteString(`"` + script + `"`)
	for _, a := range args {
		if strings.ContainsAny(a, "\x00\r\n") {
			return "", fmt.Errorf("argument %q: a line break or NUL, which %w", a, ErrBatchArgument)
		}
		b.WriteByte(' ')
		writeBatchArg(&b, a)
	}
	b.WriteByte('"')
	return b.String(), nil
}

// batchSafe are the ASCII characters that need no quotes for cmd.exe or
// for the script's own splitting; every other ASCII symbol is quoted.
const batchSafe = `#$*+-./:?@\_`

// writeBatchArg writes one argument:
//   - quoted when it is empty, ends in a backslash (which would escape the
//     closing quote of "%~1"), or holds any ASCII character but letters,
//     digits and batchSafe, or a control character;
//   - inside quotes, a `"` is doubled (both cmd.exe and CommandLineToArgvW
//     read "" inside quotes as one quote), and the backslashes before it,
//     and before the closing quote, are doubled for CommandLineToArgvW;
//   - every % becomes %%cd:~,%: cmd.exe expands %NAME% even inside quotes,
//     and "%cd:~,%" is an empty substring of the current directory, so
//     what follows the % is never read as a variable's name.
func writeBatchArg(b *strings.Builder, a string) {
	quote := a == "" || strings.HasSuffix(a, `\`)
	for i := 0; i < len(a); i++ {
		// Bytes, not runes: every character cmd.exe treats specially is
		// ASCII, and the bytes of other characters pass as they are.
		if c := a[i]; c < 0x80 && !isAlnum(c) && strings.IndexByte(batchSafe, c) < 0 {
			quote = true
		}
	}
	if quote {
		b.WriteByte('"')
	}
	backslashes := 0
	for i := 0; i < len(a); i++ {
		switch c := a[i]; c {
		case '\\':
			backslashes++
			b.WriteByte(c)
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, backslashes))
			b.WriteString(`""`)
		case '%':
			b.WriteString(`%%cd:~,%`)
		default:
			b.WriteByte(c)
		}
		backslashes = 0
	}
	if quote {
		b.WriteString(strings.Repeat(`\`, backslashes))
		b.WriteByte('"')
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// quoteArg quotes cmd.exe's own path when it holds a space.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " \t") {
		return `"` + s + `"`
	}
	return s
}
