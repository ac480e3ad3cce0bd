//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The hook mode (portguard init SHELL --hook) in real interactive bash,
// zsh and fish, driven through tmux as a user would type. The wrapper
// functions for "holder" are loaded too, so that a line checked by the
// hook and then run through a wrapper shows up twice in the log of
// portguard calls if both fired.

// hookShell starts sh interactively in dir with both integrations loaded.
// Every call the integrations make to portguard is appended to log.
type hookShell struct {
	*tmux
	prompt string
	log    string
}

func startHookShell(t *testing.T, sh, dir string) *hookShell {
	t.Helper()
	return startHookShellWith(t, sh, dir, "")
}

// startHookShellWith first sources the bash file before, as a user's
// .bashrc would source bash-preexec before portguard's hook.
func startHookShellWith(t *testing.T, sh, dir, before string) *hookShell {
	t.Helper()
	if before != "" {
		abs, err := filepath.Abs(before)
		if err != nil {
			t.Fatal(err)
		}
		before = "source " + abs
	}
	return startHookShellRC(t, sh, dir, before, "")
}

// startHookShellRC puts the rc text before and after portguard's lines in
// the shell's rc file, as a user's own rc file has them.
func startHookShellRC(t *testing.T, sh, dir, before, after string) *hookShell {
	t.Helper()
	if _, err := exec.LookPath(sh); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; .ci/run installs it", sh)
		}
		skipOrFail(t, tierTools, sh+" is not installed")
	}
	pg := portguardPath(t)
	home := t.TempDir()
	log := filepath.Join(home, "calls")
	logger := filepath.Join(home, "portguard-logged")
	writeFile(t, logger, fmt.Sprintf("#!/bin/sh\necho \"$*\" >> '%s'\nexec '%s' \"$@\"\n", log, pg), 0o755)

	var start string
	prompt := "PG$ "
	switch sh {
	case "bash":
		rc := filepath.Join(home, ".bashrc")
		writeFile(t, rc, fmt.Sprintf(`PS1='PG$ '
HISTFILE=%s/history
%s
eval "$(portguard init bash --commands holder)"
eval "$(portguard init bash --hook)"
_portguard_bin=%s
%s
`, home, before, logger, after), 0o644)
		start = "bash --noprofile --rcfile " + rc + " -i"
	case "zsh":
		writeFile(t, filepath.Join(home, ".zshrc"), fmt.Sprintf(`PS1='PG$ '
HISTFILE=%s/history
%s
eval "$(portguard init zsh --commands holder)"
eval "$(portguard init zsh --hook)"
_portguard_bin=%s
%s
`, home, before, logger, after), 0o644)
		start = "env ZDOTDIR=" + home + " zsh -i"
	case "fish":
		rc := filepath.Join(home, "config.fish")
		prompt = "PG> "
		writeFile(t, rc, fmt.Sprintf(`set -g fish_greeting
function fish_prompt; echo -n 'PG> '; end
%s
portguard init fish --commands holder | source
portguard init fish --hook | source
set -g _portguard_bin %s
%s
`, before, logger, after), 0o644)
		start = fmt.Sprintf("env XDG_CONFIG_HOME=%s/config XDG_DATA_HOME=%s/data fish --no-config -i -C 'source %s'", home, home, rc)
	}
	tm := newTmux(t, fmt.Sprintf("cd '%s' && exec env -u PORTGUARD_YES -u PORTGUARD_DISABLE NO_COLOR=1 HOME=%s %s", dir, home, start))
	waitFor(t, sh, tm.screen, strings.TrimSpace(prompt)) // tmux trims trailing blanks
	return &hookShell{tmux: tm, prompt: prompt, log: log}
}

// typeLine types line and Enter, literally.
func (s *hookShell) typeLine(line string) {
	s.run("send-keys", "-l", line)
	s.run("send-keys", "Enter")
}

func (s *hookShell) calls() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

var hookShells = []string{"bash", "zsh", "fish"}

// servingLine starts a stand-in server on port, then shows that quotes, a
// pipe, redirections and && ran exactly as typed.
// servingLine's port is only a guess (PORT= on the line of a command
// portguard does not know): the prompt says so, with Abort the default,
// so tests choose with the options' letters, y or n.
func servingLine(port int) string {
	return fmt.Sprintf(`PORT=%d holder -once -addr 127.0.0.1:%d | tr a-z A-Z > 'out file' && echo "done: it's ok" >> 'out file'`, port, port)
}

// acceptServingLine types servingLine for h's port in the shell working
// in dir, accepts the prompt, and checks that the holder is gone and the
// line ran exactly as typed.
func (s *hookShell) acceptServingLine(t *testing.T, h *holderProc, dir string) {
	t.Helper()
	s.typeLine(servingLine(h.Port))
	waitFor(t, "the shell", s.screen, fmt.Sprintf("Terminate holder (pid %d) and run the line", h.PID()))
	s.run("send-keys", "y", "Enter")
	out := filepath.Join(dir, "out file")
	waitFor(t, "the line's output", func() string { return readFile(out) }, "it's ok")
	if got, want := readFile(out), fmt.Sprintf("PORT %d\ndone: it's ok\n", h.Port); got != want {
		t.Fatalf("the line wrote %q, want %q", got, want)
	}
	if isAlive(h.PID()) {
		t.Fatal("the holder is still alive")
	}
}

func TestHookAcceptFreesAndRunsTheLine(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShell(t, sh, dir)
			s.acceptServingLine(t, h, dir)
			if calls := s.calls(); strings.Contains(calls, "-- holder") || !strings.Contains(calls, "check-line") {
				t.Fatalf("want the hook's check-line calls alone, got:\n%s", calls)
			}
		})
	}
}

// What the line does before the server starts counts: after `cd web`,
// the package.json in web/ names the port.
func TestHookFollowsCdIntoTheProject(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			if err := os.MkdirAll(filepath.Join(dir, "web"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "web/package.json"),
				fmt.Sprintf(`{"scripts": {"dev": "PORT=%d holder -once -addr 127.0.0.1:%d"}}`, h.Port, h.Port), 0o644)
			s := startHookShell(t, sh, dir)
			// The real npm runs the dev script. Its PORT= is only a guess
			// (holder is no tool portguard knows): y, not the default.
			s.typeLine("cd web && npm run dev > started")
			waitFor(t, sh, s.screen, fmt.Sprintf("Terminate holder (pid %d)", h.PID()))
			s.run("send-keys", "y", "Enter")
			waitFor(t, "the server", func() string { return readFile(filepath.Join(dir, "web/started")) }, fmt.Sprintf("port %d", h.Port))
			if isAlive(h.PID()) {
				t.Fatal("the holder is still alive")
			}
		})
	}
}

func TestHookDeclineCancelsTheLine(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShell(t, sh, dir)
			line := servingLine(h.Port)
			s.typeLine(line)
			waitFor(t, sh, s.screen, "Abort, leave it running")
			s.run("send-keys", "n", "Enter")
			waitFor(t, sh, s.screen, "the line was not run")
			// The declined line is not drawn again below the answer, as
			// if it were about to run: the answer, then a fresh prompt.
			waitFor(t, sh, func() string { return lastLine(s.screen()) }, strings.TrimSpace(s.prompt))
			if n := strings.Count(s.screen(), line); n != 1 {
				t.Fatalf("the declined line is on the screen %d times, want once (as typed):\n%s", n, s.screen())
			}

			if _, err := os.Stat(filepath.Join(dir, "out file")); err == nil {
				t.Fatal("the declined line ran")
			}
			if !isAlive(h.PID()) {
				t.Fatal("the holder was terminated though the user declined")
			}
			// Every shell cancels the line as Ctrl-C would. What the user
			// types next is a line of its own, not appended to the declined
			// one (in zsh and fish it once was: "npm run devecho after").
			up := []string{"Up", "Up"} // past the lines typed after it
			if sh == "bash" {
				// bash reports the cancel as Ctrl-C's status.
				s.typeLine(`echo "status=$?"`)
				waitFor(t, sh, s.screen, "status=130")
				up = append(up, "Up")
			}
			s.typeLine(`echo typed after > after`)
			waitFor(t, sh, func() string { return readFile(filepath.Join(dir, "after")) }, "typed after")
			if _, err := os.Stat(filepath.Join(dir, "out file")); err == nil {
				t.Fatal("the declined line ran after the next one was typed")
			}
			if sh == "fish" {
				// fish 3.6 gives a function no way to add a line to its
				// history; the declined line stays on the screen instead.
				return
			}
			// bash and zsh keep the declined line in the history, to change
			// or retry: Up brings it back.
			s.run(append([]string{"send-keys"}, up...)...)
			waitFor(t, sh, func() string { return lastLine(s.screen()) }, line)
		})
	}
}

func TestHookFreePortAndOtherLinesAreSilent(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "listed-file"), "", 0o644)
			s := startHookShell(t, sh, dir)
			s.typeLine("ls")
			waitFor(t, sh, s.screen, "listed-file")

			port := freePort(t)
			s.typeLine(fmt.Sprintf("PORT=%d holder -once -addr 127.0.0.1:%d > started", port, port))
			waitFor(t, "the server", func() string { return readFile(filepath.Join(dir, "started")) }, fmt.Sprintf("port %d", port))
			s.typeLine("echo finished")
			waitFor(t, sh, s.screen, "\nfinished\n") // the output, not the typed line
			if screen := s.screen(); strings.Contains(screen, "portguard") {
				t.Fatalf("the hook printed something for lines with nothing held:\n%s", screen)
			}
			// ls and echo never listen: the shell decides them alone.
			if calls := s.calls(); strings.Count(calls, "check-line") != 1 || !strings.Contains(calls, "holder -once") {
				t.Fatalf("want the line that may serve checked, and it alone, got:\n%s", calls)
			}
		})
	}
}

func TestHookDisabled(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShell(t, sh, dir)
			disable, status := "export PORTGUARD_DISABLE=1", "$?"
			if sh == "fish" {
				disable, status = "set -gx PORTGUARD_DISABLE 1", "$status"
			}
			s.typeLine(disable)
			waitFor(t, "the log", s.calls, disable) // checked while still enabled
			before := s.calls()
			s.typeLine(fmt.Sprintf("PORT=%d holder -once -addr 127.0.0.1:%d; echo exit=%s", h.Port, h.Port, status))
			waitFor(t, sh, s.screen, "exit=1")
			if !strings.Contains(s.screen(), "address already in use") || !isAlive(h.PID()) {
				t.Fatalf("with PORTGUARD_DISABLE=1 the line should run unchecked and fail to bind:\n%s", s.screen())
			}
			if calls := s.calls(); calls != before {
				t.Fatalf("with PORTGUARD_DISABLE=1 portguard was still called:\n%s", strings.TrimPrefix(calls, before))
			}
		})
	}
}

// With bash-preexec loaded first, the hook is one of its preexec
// functions: accepting runs the line, declining stops all of it.
func TestHookWithBashPreexec(t *testing.T) {
	for _, accept := range []bool{true, false} {
		t.Run(fmt.Sprintf("accept=%v", accept), func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShellWith(t, "bash", dir, "testdata/shell/bash-preexec-standin.sh")
			s.typeLine(`echo "hook is $(declare -p preexec_functions)"`)
			waitFor(t, "bash", s.screen, `hook is declare -a preexec_functions=([0]="_portguard_preexec")`)
			if accept {
				s.acceptServingLine(t, h, dir)
				return
			}
			s.typeLine(servingLine(h.Port))
			waitFor(t, "bash", s.screen, "Abort, leave it running")
			s.run("send-keys", "n", "Enter")
			s.typeLine(`echo "status=$?"`)
			waitFor(t, "bash", s.screen, "status=130")
			if _, err := os.Stat(filepath.Join(dir, "out file")); err == nil || !isAlive(h.PID()) {
				t.Fatal("the declined line ran, or the holder was terminated")
			}
		})
	}
}

// A DEBUG trap the user had before keeps running under the bash hook.
func TestHookKeepsTheUsersDebugTrap(t *testing.T) {
	dir := t.TempDir()
	h := holder(t)
	s := startHookShellWith(t, "bash", dir, "testdata/shell/debug-trap.sh")
	s.typeLine(`_traps_seen=0; echo "trap ran $_traps_seen times"`)
	waitFor(t, "bash", s.screen, "\ntrap ran ") // the output, not the typed line
	if strings.Contains(s.screen(), "\ntrap ran 0 times") {
		t.Fatalf("the user's DEBUG trap stopped running:\n%s", s.screen())
	}
	s.acceptServingLine(t, h, dir)
}

// With PROMPT_COMMAND an array (bash 5.1), the hook adds its own element,
// and the elements keep running; lines are still checked.
func TestHookWithPromptCommandArray(t *testing.T) {
	dir := t.TempDir()
	h := holder(t)
	s := startHookShellWith(t, "bash", dir, "testdata/shell/prompt-command-array.sh")
	s.typeLine(`echo "prompt commands: ${#PROMPT_COMMAND[@]}, prompts: $_prompts"`)
	waitFor(t, "bash", s.screen, "\nprompt commands: 3, prompts: ")
	s.acceptServingLine(t, h, dir)
}

// A guard must never lock the shell: with the binary gone (uninstalled
// while the rc line is still loaded) or with a PORTGUARD_YES that is no
// boolean, every line still runs.
func TestHookFailsOpen(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShell(t, sh, dir)
			set := func(name, value string) string {
				if sh == "fish" {
					return fmt.Sprintf("set -gx %s %s", name, value)
				}
				return fmt.Sprintf("export %s=%s", name, value)
			}
			s.typeLine(set("PORTGUARD_YES", "garbage"))
			s.typeLine("echo ok > yes-garbage")
			waitFor(t, "the line under PORTGUARD_YES=garbage", func() string { return readFile(filepath.Join(dir, "yes-garbage")) }, "ok")

			s.typeLine(set("_portguard_bin", "/nonexistent/portguard"))
			// The line names the held port: it would be checked, and the
			// check cannot run.
			s.typeLine(fmt.Sprintf("PORT=%d true && echo ran > binary-gone", h.Port))
			waitFor(t, "the line with the binary gone", func() string { return readFile(filepath.Join(dir, "binary-gone")) }, "ran")
			if !isAlive(h.PID()) {
				t.Fatal("the holder was terminated")
			}
		})
	}
}

// lastLine is the last non-blank line of a terminal screen: the line the
// editor is on.
func lastLine(screen string) string {
	lines := strings.Split(strings.TrimRight(screen, " \n"), "\n")
	return lines[len(lines)-1]
}

// The hook installs and checks lines in an rc file that turns on the
// strict options (as zoxide tests its own hooks): set -u with PROMPT_COMMAND
// unset, errexit, pipefail, and bash's nullglob and failglob; zsh's
// nounset and errexit. Sourcing it prints nothing.
func TestHookUnderStrictShellOptions(t *testing.T) {
	strict := map[string]string{
		"bash": "unset PROMPT_COMMAND; set -eu -o pipefail; shopt -s nullglob failglob",
		"zsh":  "setopt nounset errexit pipefail",
	}
	for _, sh := range []string{"bash", "zsh"} {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			h := holder(t)
			s := startHookShellRC(t, sh, dir, strict[sh], "")
			if screen := s.screen(); strings.Contains(screen, "portguard") || strings.Contains(screen, "unbound") || strings.Contains(screen, "parameter not set") {
				t.Fatalf("installing the hook printed:\n%s", screen)
			}
			s.acceptServingLine(t, h, dir)
		})
	}
}

// A line made only of commands that never listen is decided in the
// shell: it starts no process at all, where any other line starts
// portguard. strace, attached to the shell, sees every process the shell
// starts: the checked lines before and after show that it does.
// PORTGUARD_NEVER_LISTEN adds umask to the list; ulimit, a builtin too,
// is not on it.
func TestHookLinesThatNeverListenStartNoProcess(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("strace is not installed; .ci/run installs it")
		}
		skipOrFail(t, tierTools, "strace is not installed")
	}
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			extend := "export PORTGUARD_NEVER_LISTEN=umask"
			if sh == "fish" {
				extend = "set -gx PORTGUARD_NEVER_LISTEN umask"
			}
			s := startHookShellRC(t, sh, dir, extend, "")
			trace := filepath.Join(t.TempDir(), "trace")
			pid := strings.TrimSpace(s.run("display-message", "-p", "#{pane_pid}"))
			st := exec.Command(strace, "-f", "-qq", "-e", "trace=execve,execveat,fork,vfork,clone,clone3", "-o", trace, "-p", pid)
			if err := st.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				_ = st.Process.Signal(os.Interrupt) // strace detaches from the shell
				_ = st.Wait()
			})
			processes := func() int { // what the shell has started so far
				n := 0
				for line := range strings.SplitSeq(readFile(trace), "\n") {
					if strings.Contains(line, "execve") || strings.Contains(line, "fork(") ||
						(strings.Contains(line, "clone") && !strings.Contains(line, "CLONE_THREAD") && !strings.Contains(line, "resumed>")) {
						n++
					}
				}
				return n
			}

			// A line that may serve is checked, by a process of its own
			// (once strace is attached, which this also waits for).
			port := freePort(t)
			for i := 0; processes() == 0; i++ {
				if i == 50 {
					t.Fatalf("strace saw no process for a checked line:\n%s", readFile(trace))
				}
				s.typeLine(fmt.Sprintf("PORT=%d true", port))
				time.Sleep(200 * time.Millisecond)
			}
			s.waitPrompt(t)
			time.Sleep(300 * time.Millisecond)
			checks, before := s.checks(), processes()

			// Builtins of the list, umask added: no process, no check.
			s.typeLine("cd . && pwd > known; echo ok >> known || true; umask >> known")
			waitFor(t, "the line's output", func() string { return readFile(filepath.Join(dir, "known")) }, "ok")
			s.typeLine("echo done >> known")
			waitFor(t, "the line's output", func() string { return readFile(filepath.Join(dir, "known")) }, "done")
			s.waitPrompt(t)
			time.Sleep(300 * time.Millisecond)
			if n := processes(); n != before || s.checks() != checks {
				t.Fatalf("lines of commands that never listen started %d processes and %d checks; trace:\n%s\ncalls:\n%s",
					n-before, s.checks()-checks, readFile(trace), s.calls())
			}

			// A word not on the list goes to portguard, which strace sees.
			s.typeLine("ulimit -n > limits")
			waitFor(t, "the log", s.calls, "-- ulimit -n > limits")
			waitFor(t, "strace", func() string { return strconv.FormatBool(processes() > before) }, "true")
		})
	}
}

// A word of the never-listen list that the user has made a function of
// their own runs what the function says: such a line goes to portguard,
// also when the function is defined after lines of the list were read
// (in bash a line that only defines a function runs no DEBUG trap, so
// the hook cannot keep which words are functions from line to line).
func TestHookFunctionNamedLikeAQuietWordIsChecked(t *testing.T) {
	for _, sh := range hookShells {
		t.Run(sh, func(t *testing.T) {
			dir := t.TempDir()
			s := startHookShell(t, sh, dir)
			s.typeLine("pwd > before")
			waitFor(t, "the line's output", func() string { return readFile(filepath.Join(dir, "before")) }, dir)
			s.waitPrompt(t)
			if strings.Contains(s.calls(), "pwd") {
				t.Fatalf("a line of pwd was checked:\n%s", s.calls())
			}
			define := `pwd() { echo mine; }`
			if sh == "fish" {
				define = `function pwd; echo mine; end`
			}
			s.typeLine(define)
			s.waitPrompt(t)
			s.typeLine("pwd > after")
			waitFor(t, "the log", s.calls, "-- pwd > after")
			waitFor(t, "the function's output", func() string { return readFile(filepath.Join(dir, "after")) }, "mine")
		})
	}
}

// The bash hook reads each line with builtins only, through a file of its
// own in $XDG_RUNTIME_DIR (mode 0600, removed when the shell exits): a
// line typed over two physical lines is checked whole, under Debian's
// HISTCONTROL=ignoreboth; with no line in the history (turned off, or
// HISTSIZE=0) each command of the line is checked as it comes.
func TestBashHookReadsLinesWithoutForking(t *testing.T) {
	dir, runtime := t.TempDir(), t.TempDir()
	s := startHookShellRC(t, "bash", dir, "HISTCONTROL=ignoreboth\nXDG_RUNTIME_DIR="+runtime, "")
	pid := strings.TrimSpace(s.run("display-message", "-p", "#{pane_pid}"))
	file := filepath.Join(runtime, "portguard-hook."+pid)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the hook's file: %v, %v", fi, err)
	}

	s.typeLine("cd . &&")
	s.typeLine("builtin echo two > two")
	waitFor(t, "the log", s.calls, "builtin echo two > two")
	if !strings.Contains(s.calls(), "-- cd . &&") {
		t.Fatalf("the line typed over two lines was not checked whole:\n%s", s.calls())
	}
	s.typeLine(" builtin echo spaced")
	waitFor(t, "the log", s.calls, "--  builtin echo spaced")
	s.typeLine("set +o history")
	s.typeLine("cd . && builtin echo off > off")
	waitFor(t, "the log", s.calls, "-- builtin echo off > off")
	s.typeLine("set -o history")
	s.typeLine("history | grep -c 'echo[ ]spaced'")
	waitFor(t, "bash", s.screen, "\n0\n") // ignorespace kept it out, as without portguard
	s.typeLine("HISTSIZE=0")
	s.typeLine("cd . && builtin echo none > none")
	waitFor(t, "the log", s.calls, "-- builtin echo none > none")
	if strings.Contains(s.calls(), "-- cd .\n") {
		t.Fatalf("cd, a command that never listens, went to portguard:\n%s", s.calls())
	}
	// A loop's command is checked the first time it runs, not at every turn.
	s.typeLine("for i in 1 2 3; do builtin echo turn > turn; done; builtin echo looped > looped")
	waitFor(t, "the log", s.calls, "-- builtin echo looped > looped")
	if n := strings.Count(s.calls(), "-- builtin echo turn > turn"); n != 1 {
		t.Fatalf("the loop's command was checked %d times, want once:\n%s", n, s.calls())
	}

	s.typeLine("exit")
	waitFor(t, "the hook's file", func() string {
		if _, err := os.Stat(file); os.IsNotExist(err) {
			return "removed"
		}
		return "still there"
	}, "removed")
}

// The bash hook sets HISTCONTROL and HISTIGNORE aside while it reads a
// line, then keeps the history as the user's own settings would have:
// a duplicate of the line before and an ignored line out, the rest in.
// With function tracing on (extdebug, as nvm turns it on) and the history
// off, what a function runs is not taken for a command of the line.
func TestBashHookKeepsTheUsersHistory(t *testing.T) {
	dir := t.TempDir()
	s := startHookShellRC(t, "bash", dir, "HISTCONTROL=ignoreboth\nHISTIGNORE='echo ign*'", "")
	for _, line := range []string{"echo a", "echo a", "echo b", "echo a", "echo ignored", " echo spaced", "echo b", "echo done"} {
		s.typeLine(line)
	}
	s.typeLine("history > hist")
	waitFor(t, "the history", func() string { return readFile(filepath.Join(dir, "hist")) }, "history > hist")
	var kept []string
	for line := range strings.SplitSeq(readFile(filepath.Join(dir, "hist")), "\n") {
		if _, entry, ok := strings.Cut(line, "  echo "); ok {
			kept = append(kept, entry)
		}
	}
	if got := strings.Join(kept, ","); got != "a,b,a,b,done" {
		t.Fatalf("the history kept %s, want a,b,a,b,done:\n%s", got, readFile(filepath.Join(dir, "hist")))
	}

	// The trap keeps $_, the last word of the command before.
	s.typeLine(`true one last && builtin echo "$_" > last`)
	waitFor(t, "$_", func() string { return readFile(filepath.Join(dir, "last")) }, "last\n")

	s.typeLine("set +o history; shopt -s extdebug")
	s.typeLine("f() { builtin echo inner > inner; }")
	s.typeLine("f")
	waitFor(t, "the function's output", func() string { return readFile(filepath.Join(dir, "inner")) }, "inner")
	s.waitPrompt(t)
	if calls := s.calls(); !strings.Contains(calls, "-- f\n") || strings.Contains(calls, "-- builtin echo inner") ||
		strings.Contains(calls, "_portguard") {
		t.Fatalf("want the line f checked, and nothing the function or the prompt runs:\n%s", calls)
	}
}

// Settings of the user's that the bash hook's reading of the history must
// survive: a PROMPT_COMMAND whose text bash prints otherwise (the trap
// fires for it still armed after a blank line), failglob with a pattern in
// HISTIGNORE, and a read-only HISTIGNORE.
func TestBashHookUnderHistorySettings(t *testing.T) {
	dir := t.TempDir()
	s := startHookShellRC(t, "bash", dir, "HISTCONTROL=ignoredups\nHISTIGNORE='echo ign*:&'\nshopt -s failglob\nPROMPT_COMMAND='true  x'", "")
	for _, line := range []string{"   ", "echo ignored", "echo a", "echo a", "history > hist"} {
		s.typeLine(line)
	}
	waitFor(t, "the history", func() string { return readFile(filepath.Join(dir, "hist")) }, "history > hist")
	if n := strings.Count(readFile(filepath.Join(dir, "hist")), "echo "); n != 1 {
		t.Errorf("the history kept %d lines of echo, want 1:\n%s", n, readFile(filepath.Join(dir, "hist")))
	}
	if strings.Contains(s.screen(), "no match") || strings.Contains(s.calls(), "--    ") {
		t.Fatalf("want no glob error and no blank line checked:\n%s\ncalls:\n%s", s.screen(), s.calls())
	}

	dir = t.TempDir()
	s = startHookShellRC(t, "bash", dir, "HISTCONTROL=ignoredups\nreadonly HISTIGNORE=zzz", "")
	for _, line := range []string{"echo a", "echo a", `echo "[$HISTCONTROL]" > hc`} {
		s.typeLine(line)
	}
	waitFor(t, "HISTCONTROL", func() string { return readFile(filepath.Join(dir, "hc")) }, "[ignoredups]")
	if strings.Contains(s.screen(), "readonly") {
		t.Fatalf("a read-only HISTIGNORE gave errors:\n%s", s.screen())
	}
}
