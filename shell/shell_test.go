package shell

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/winetest"
)

// need skips a test when a shell or linter is missing, except in CI on
// Linux, where .ci/run installs them and their absence is a failure. (CI's
// Windows tier runs under Wine, where none of them is a Windows program.)
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		if os.Getenv("CI") != "" && runtime.GOOS != "windows" {
			t.Fatalf("%s is not installed; .ci/run installs it", program)
		}
		t.Skipf("%s is not installed", program)
	}
	return p
}

// TestScriptsParse lints what users get: every rendered script is checked
// by its own shell's parser, and the bash ones by shellcheck.
func TestScriptsParse(t *testing.T) {
	exe := "/opt/it's here/portguard" // a path that needs quoting
	for _, sh := range Names {
		t.Run(sh, func(t *testing.T) {
			bin := need(t, sh)
			scripts := map[string]string{}
			out, err := Init(sh, exe, DefaultCommands)
			if err != nil {
				t.Fatal(err)
			}
			scripts["init"] = out
			if scripts["hook"], err = Hook(sh, exe, append(NeverListen, "my-tool")); err != nil {
				t.Fatal(err)
			}
			if sh != "fish" {
				if scripts["completion"], err = Completion(sh, exe); err != nil {
					t.Fatal(err)
				}
			}
			for name, src := range scripts {
				if !strings.Contains(src, "portguard") || strings.Contains(src, "{{") {
					t.Fatalf("%s %s was not rendered:\n%s", sh, name, src)
				}
				file := filepath.Join(winetest.TempDir(t), name+"."+sh)
				if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(bin, "-n", file).CombinedOutput(); err != nil {
					t.Errorf("%s -n %s: %v\n%s", sh, name, err, out)
				}
				if sh == "bash" {
					sc := need(t, "shellcheck")
					if out, err := exec.Command(sc, "-s", "bash", file).CombinedOutput(); err != nil {
						t.Errorf("shellcheck %s: %v\n%s", name, err, out)
					}
				}
			}
		})
	}
}

func TestParseCommands(t *testing.T) {
	got, err := ParseCommands("npm,yarn rails, http-server")
	if err != nil || strings.Join(got, " ") != "npm yarn rails http-server" {
		t.Fatalf("ParseCommands = %q, %v", got, err)
	}
	for _, bad := range []string{"", ",", "npm;rm", "$(x)", "a b'c", "-rf"} {
		if _, err := ParseCommands(bad); err == nil {
			t.Errorf("ParseCommands(%q): no error", bad)
		}
	}
	if _, err := Init("bash", "/x", []string{"a;b"}); err == nil {
		t.Error("Init accepted a command name with shell syntax in it")
	}
	if _, err := Init("tcsh", "/x", DefaultCommands); err == nil || !strings.Contains(err.Error(), "unknown shell") {
		t.Errorf("Init(tcsh) = %v", err)
	}
}

func TestParseNeverListen(t *testing.T) {
	got, err := ParseNeverListen([]string{"ls", "git status", "make"}, " my-tool , git  sync,-make,,")
	if err != nil || strings.Join(got, "|") != "ls|git status|my-tool|git sync" {
		t.Fatalf("ParseNeverListen = %q, %v", got, err)
	}
	for _, bad := range []string{"a;b", "$(x)", "git sync now", "-", "a'b"} {
		if _, err := ParseNeverListen(NeverListen, bad); err == nil {
			t.Errorf("ParseNeverListen(%q): no error", bad)
		}
	}
	if _, err := Hook("bash", "/x", []string{"ls", "rm -rf /"}); err == nil {
		t.Error("Hook accepted an entry of three words")
	}
}

// The list is what the shells decide on without portguard: each entry is
// a command word, or one and its subcommand, none twice, and none of the
// words that run another command (the hook must send those to portguard).
func TestNeverListenIsConservative(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range NeverListen {
		if !neverListenEntry(e) || seen[e] {
			t.Errorf("NeverListen: %q is malformed or repeated", e)
		}
		seen[e] = true
	}
	for _, w := range []string{"sudo", "doas", "env", "nohup", "xargs", "npx", "npm", "make", "exec", "command",
		"builtin", "time", "eval", "source", ".", "find", "watch", "timeout", "nice", "ssh", "nc", "git",
		"git daemon", "git instaweb", "python", "node", "code", "emacs", "sh", "bash", "docker"} {
		if seen[w] {
			t.Errorf("NeverListen has %q, which may start a server", w)
		}
	}
}

// fish's test of a line, run by fish itself on a table of lines: 0 for a
// line made only of commands that never listen, 1 for any other.
func TestFishQuietLine(t *testing.T) {
	fish := need(t, "fish")
	hook, err := Hook("fish", "/nonexistent/portguard", NeverListen)
	if err != nil {
		t.Fatal(err)
	}
	// The hook leaves a shell that is not interactive at its first line.
	_, body, _ := strings.Cut(hook, "status is-interactive; or exit 0\n")
	lines := []quietLine{
		{"ls", true},
		{"cd . && pwd >/dev/null && echo hi", true},
		{"git status --short | head", true},
		{"git  status", true},
		{"ls\ngit log -1", true},
		{"   ", true},
		{"git", false},
		{"git statusx", false},
		{"npm run dev", false},
		{"ls; npm start", false},
		{"ls\nnpm start", false},
		{"PORT=3000 ls", false},
		{"echo $PORT", false},
		{"echo (npm start)", false},
		{"'ls'", false},
		{">out ls", false},
		{"[ -d /tmp ]; and echo yes", false},
		{"ls[1]", false},
		{"gco main", false}, // an abbreviation
		{"mine", false},     // a function of the user's
		{"pwd", false},      // and, last, one named like a word of the list
	}
	script := body + "\nabbr -a gco git checkout\nfunction mine; end\n"
	for i, l := range lines {
		if i == len(lines)-1 {
			script += "function pwd; echo mine; end\n"
		}
		script += "_portguard_quiet_line " + quote("fish", l.line) + "; echo $status\n"
	}
	wantQuietStatuses(t, "fish", exec.Command(fish, "--no-config", "-c", script), lines)

	// Sourced again with a word taken out of the list, fish checks it.
	fewer, err := ParseNeverListen(NeverListen, "-curl")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Hook("fish", "/nonexistent/portguard", fewer)
	if err != nil {
		t.Fatal(err)
	}
	_, againBody, _ := strings.Cut(again, "status is-interactive; or exit 0\n")
	out, err := exec.Command(fish, "--no-config", "-c", body+"\n"+againBody+"\n_portguard_quiet_line 'curl -s x'; echo $status\n").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Errorf("curl after the list lost it: %q, %v", out, err)
	}
}

// bash's test of a line, run by bash itself on a table of lines, with the
// hook's file and without one (functions are then found one by one): 0
// for a line made only of commands that never listen, 1 for any other.
func TestBashQuietLine(t *testing.T) {
	bash := need(t, "bash")
	hook, err := Hook("bash", "/nonexistent/portguard", NeverListen)
	if err != nil {
		t.Fatal(err)
	}
	lines := []quietLine{
		{"ls", true},
		{" ls -la", true},
		{"cd . && pwd >/dev/null && echo hi", true},
		{"git status --short | head", true},
		{"git  status", true},
		{"git\tstatus", true},
		{"ls\ngit log -1", true},
		{"ls & pwd", true},
		{"ls *.go", true},
		{"ls;pwd||echo no", true},
		{"echo x; ", true},
		{"   ", false},
		{";", false},
		{"git", false},
		{"git; ls", false},
		{"ls; git", false},
		{"git statusx", false},
		{"git status; git sync", false},
		{"npm run dev", false},
		{"ls; npm start", false},
		{"ls && npm start", false},
		{"ls | npm start", false},
		{"ls\nnpm start", false},
		{"ls &npm start", false},
		{"PORT=3000 ls", false},
		{"echo $PORT", false},
		{"echo `npm start`", false},
		{"echo $(npm start)", false},
		{"(ls)", false},
		{"! ls", false},
		{`l\s`, false},
		{"'ls'", false},
		{`"ls"`, false},
		{"echo 'a;npm' start", false},
		{">out ls", false},
		{"[ -d /tmp ] && echo yes", false},
		{"ls[1]", false},
		{"if true; then ls; fi", false},
		{"{ ls; }", false},
		{"time ls", false},
		{"sudo ls", false},
		{"ll", false},   // an alias of the user's
		{"mine", false}, // a function of the user's
		{"pwd", false},  // and, last, one named like a word of the list
		{"ls; pwd", false},
	}
	file := filepath.Join(t.TempDir(), "hook-file")
	for _, withFile := range []bool{false, true} {
		script := hook + "\nshopt -s expand_aliases\nalias ll='ls -l'\nmine() { :; }\nset -u\n"
		if withFile {
			script += "_portguard_out=" + quote("bash", file) + "\n"
		}
		for i, l := range lines {
			if i == len(lines)-2 {
				script += "pwd() { echo mine; }\n"
			}
			script += "_portguard_quiet_line " + quote("bash", l.line) + "; echo $?\n"
		}
		what := "bash without the file"
		if withFile {
			what = "bash with the file"
		}
		wantQuietStatuses(t, what, exec.Command(bash, "--norc", "--noprofile", "-c", script), lines)
	}
}

// quietLine is a line of a shell's quiet-line table: whether the hook
// decides it in the shell, with no portguard.
type quietLine struct {
	line  string
	quiet bool
}

// wantQuietStatuses runs a shell's script that prints the quiet-line
// test's status for each line of the table, in order, and checks them:
// 0 for a quiet line, 1 for any other.
func wantQuietStatuses(t *testing.T, what string, cmd *exec.Cmd, lines []quietLine) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
	got := strings.Fields(string(out))
	if len(got) != len(lines) {
		t.Fatalf("%s printed %q for %d lines", what, out, len(lines))
	}
	for i, l := range lines {
		if want := map[bool]string{true: "0", false: "1"}[l.quiet]; got[i] != want {
			t.Errorf("%s: %q: status %s, want %s", what, l.line, got[i], want)
		}
	}
}
