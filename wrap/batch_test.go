package wrap

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A stand-in for what only Windows can run: cmd.exe and the C runtime are
// modelled by their documented rules (cmd's quote state and %-expansion;
// CommandLineToArgvW's backslash and quote rules), and every argument must
// come out as written, with no cmd.exe operator outside quotes. The
// vectors are the published BatBadBut ones and their kin.
var batchVectors = []string{
	"", "plain", "two words", `"&calc.exe`, `" & calc.exe & "`, `\"&whoami`, `a"b`, `""`,
	`%PATH%`, `%%`, `100%`, `%cd:~,%`, `^`, `a^b`, `<in`, `>out`, `a|b`, `(x)`, `!VAR!`,
	`C:\dir\`, `C:\dir\\`, `a\"b`, `a\\"b`, `\`, `tab	here`, `--port=3000`, `--flag`, `é ü`,
	`;,=`, `%%cd:~,%`, `\\server\share\`,
}

func TestBatchCommandLineKeepsEveryArgument(t *testing.T) {
	for _, arg := range batchVectors {
		line, err := BatchCommandLine(`C:\Windows\system32\cmd.exe`, `C:\Program Files\nodejs\npm.cmd`, []string{"run", arg, "x"})
		if err != nil {
			t.Fatalf("%q: %v", arg, err)
		}
		got, err := throughCmd(line)
		if err != nil {
			t.Errorf("%q: %v\n  line %s", arg, err, line)
			continue
		}
		if want := []string{`C:\Program Files\nodejs\npm.cmd`, "run", arg, "x"}; !slices.Equal(got, want) {
			t.Errorf("%q arrives as %q\n  line %s", arg, got, line)
		}
	}
}

func FuzzBatchCommandLine(f *testing.F) {
	for _, v := range batchVectors {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		line, err := BatchCommandLine("cmd.exe", `C:\p\npm.cmd`, []string{arg})
		if err != nil {
			if !errors.Is(err, ErrBatchArgument) || !strings.ContainsAny(arg, "\x00\r\n") {
				t.Fatalf("%q: %v", arg, err)
			}
			return
		}
		got, err := throughCmd(line)
		if err != nil || !slices.Equal(got, []string{`C:\p\npm.cmd`, arg}) {
			t.Fatalf("%q arrives as %q (%v)\n  line %s", arg, got, err, line)
		}
	})
}

func TestBatchCommandLineRefuses(t *testing.T) {
	for _, arg := range []string{"a\nb", "a\r\nb", "a\x00b"} {
		if _, err := BatchCommandLine("cmd.exe", `C:\p\npm.cmd`, []string{arg}); !errors.Is(err, ErrBatchArgument) {
			t.Errorf("%q: %v, want ErrBatchArgument", arg, err)
		}
	}
	if _, err := BatchCommandLine("cmd.exe", `C:\p"\npm.cmd`, nil); !errors.Is(err, ErrBatchArgument) {
		t.Errorf("a quote in the script's path: %v", err)
	}
	for path, want := range map[string]bool{`C:\x\npm.cmd`: true, `yarn.CMD`: true, `run.bat`: true, `node.exe`: false, `cmd`: false} {
		if IsBatch(path) != want {
			t.Errorf("IsBatch(%q) = %v", path, !want)
		}
	}
}

// throughCmd models cmd.exe /c "…": the text between the outer quotes is
// the command; outside quotes no operator may appear, and %…% is expanded
// everywhere, so each % must be the %%cd:~,% no-op (which leaves one %).
// What remains is split as CommandLineToArgvW splits it.
func throughCmd(line string) ([]string, error) {
	_, inner, ok := strings.Cut(line, ` /d /e:ON /v:OFF /c "`)
	if !ok || !strings.HasSuffix(inner, `"`) {
		return nil, errors.New("not a cmd /c \"…\" line")
	}
	inner = inner[:len(inner)-1]
	quoted := false
	for i := 0; i < len(inner); i++ {
		switch c := inner[i]; {
		case c == '"':
			quoted = !quoted
		case c == '%':
			if !strings.HasPrefix(inner[i:], `%%cd:~,%`) {
				return nil, errors.New("a % cmd.exe would expand")
			}
			i += len(`%%cd:~,%`) - 1
		case !quoted && strings.IndexByte("&|<>^()", c) >= 0:
			return nil, errors.New("an operator outside quotes: " + string(c))
		}
	}
	return splitArgvW(strings.ReplaceAll(inner, `%%cd:~,%`, `%`)), nil
}

// splitArgvW splits as the C runtime has since 2008 (the Universal C
// Runtime of node.exe, which npm.cmd runs): whitespace separates outside
// quotes; 2n backslashes before a quote are n and the quote toggles; 2n+1
// are n and a literal quote; "" inside quotes is a quote, and the quoted
// part goes on. CommandLineToArgvW and Go's os.Args keep the rule from
// before 2008, where that "" also ends the quoted part: a program that
// splits so gets an argument holding a quote cut in two or joined with
// the next (never an operator run: that is cmd.exe's part).
func splitArgvW(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					i-- // the quote is handled next
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inArg = true
		case c == '"':
			if quoted && i+1 < len(s) && s[i+1] == '"' {
				cur.WriteByte('"')
				i++
			} else {
				quoted = !quoted
			}
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}
