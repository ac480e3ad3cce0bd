//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/creack/pty"
)

// The shell hooks' cost per line, in each shell installed: the shell's
// own CPU time per accepted line (the sum of its threads' time on a CPU,
// /proc/PID/task/*/schedstat, which neither the machine's load nor the
// terminal's round trips inflate), with the hook loaded and without it,
// side by side. Two kinds of line:
//   - commands that never listen (cd . && pwd && echo), which the hook
//     decides in the shell: the goal is under 0.3 ms and no portguard;
//   - a line that may serve (PORT=P true), which goes to portguard: the
//     goal is one portguard start per line and at most 1 ms of the
//     shell's own time besides. Without the hook that line runs the same
//     portguard check-line itself, so that the difference is the hook's
//     own time beyond one start (the fork of it, which a loaded machine
//     makes dear, is on both sides).
// Each line is typed into a real interactive shell on a pseudo-terminal,
// and the next one only once the line's output is on the screen.

const (
	knownGoal   = 300 * time.Microsecond
	servingGoal = time.Millisecond
)

// hookCosts measures each shell, lines of each kind per run, rounds runs
// of each variant alternately. Each variant counts with its least cost
// per line over the runs: the machine's other work only ever adds to a
// process's CPU time (a busy core's caches, another guest on the host),
// so the least is the closest to what the shell itself spends.
func (b *bench) hookCosts(lines, rounds int) {
	port := freePort()
	for _, sh := range b.shells {
		if _, err := exec.LookPath(sh); err != nil {
			fmt.Printf("%s is not installed: its hook is not measured\n", sh)
			continue
		}
		var noneKnown, noneServing, hookKnown, hookServing, floorKnown []time.Duration
		starts := map[string]int{}
		for range rounds {
			none, err := b.shellCPU(sh, withoutHook, port, lines)
			if err != nil {
				b.fail("%s without the hook: %v", sh, err)
				return
			}
			hook, err := b.shellCPU(sh, withHook, port, lines)
			if err != nil {
				b.fail("%s with the hook: %v", sh, err)
				return
			}
			floor, err := b.shellCPU(sh, withFloor, port, lines)
			if err != nil {
				b.fail("%s with an empty hook: %v", sh, err)
				return
			}
			noneKnown, noneServing = append(noneKnown, none.known), append(noneServing, none.serving)
			hookKnown, hookServing = append(hookKnown, hook.known), append(hookServing, hook.serving)
			floorKnown = append(floorKnown, floor.known)
			starts["known"] += hook.knownStarts
			starts["serving"] += hook.servingStarts
		}
		k := slices.Min(hookKnown) - slices.Min(noneKnown)
		f := slices.Min(floorKnown) - slices.Min(noneKnown)
		s := slices.Min(hookServing) - slices.Min(noneServing)
		perKnown := float64(starts["known"]) / float64(rounds*lines)
		perServing := float64(starts["serving"]) / float64(rounds*lines)
		knownMet := k < knownGoal && starts["known"] == 0
		b.rows = append(b.rows, row{what: sh + " hook, a line of commands that never listen",
			value:     fmt.Sprintf("%.3f ms of shell time, %.2f portguard starts per line", float64(k)/1e6, perKnown),
			goalLabel: "< 0.3 ms, no process", met: &knownMet})
		b.rows = append(b.rows, row{what: sh + " hook's floor: the same way in, a function that does nothing",
			value:     fmt.Sprintf("%.3f ms of shell time per line of commands that never listen", float64(f)/1e6),
			goalLabel: "(no goal)"})
		line := fmt.Sprintf("PORT=%d true", port)
		start := b.time([]string{b.pg, "check-line", "--shell", sh, "--", line})
		servingMet := s <= servingGoal && perServing == 1
		b.rows = append(b.rows, row{what: sh + " hook, a line that may serve",
			value: fmt.Sprintf("%.2f portguard starts (%s each) + %.3f ms of shell time per line",
				perServing, ms(start), float64(s)/1e6),
			goalLabel: "≤ one start + 1 ms", met: &servingMet})
	}
}

func (b *bench) fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "harness: "+format+"\n", args...)
	b.failed = true
}

// lineCost is one shell run's CPU time per line of each kind, and the
// portguard starts of each kind of line, in all.
type lineCost struct {
	known, serving             time.Duration
	knownStarts, servingStarts int
}

// What a measured shell loads.
type hookVariant int

const (
	withoutHook hookVariant = iota
	withHook                // portguard init SHELL --hook
	// withFloor takes the hook's way in, with a function that does
	// nothing: bash's DEBUG trap and prompt step, zsh's accept-line
	// widget, fish's binding of Enter. What it costs is the least any
	// hook that sees the line before it runs can cost in that shell.
	withFloor
)

// hookLoads are withHook's rc lines, given portguard and the wrapper
// that counts its starts.
var hookLoads = map[string]string{
	"bash": "eval \"$('%s' init bash --hook)\"\n_portguard_bin='%s'\n",
	"zsh":  "eval \"$('%s' init zsh --hook)\"\n_portguard_bin='%s'\n",
	"fish": "'%s' init fish --hook | source\nset -g _portguard_bin '%s'\n",
}

// floorHooks are withFloor's rc lines.
var floorHooks = map[string]string{
	"bash": "_pg_floor() { :; }\ntrap _pg_floor DEBUG\nPROMPT_COMMAND=_pg_floor\n",
	"zsh":  "_pg_floor() { zle .accept-line -- \"$@\"; }\nzle -N accept-line _pg_floor\n",
	"fish": "function _pg_floor; commandline -f execute; end\nbind \\r _pg_floor\nbind \\n _pg_floor\n",
}

// shellCPU starts sh interactively on a pseudo-terminal, with the hook,
// without it, or with the floor, and types lines of each kind.
func (b *bench) shellCPU(sh string, variant hookVariant, port, lines int) (lineCost, error) {
	hook := variant == withHook
	home, err := os.MkdirTemp(b.work, sh+"-")
	if err != nil {
		return lineCost{}, err
	}
	defer os.RemoveAll(home)
	// The bash hook keeps a file in $XDG_RUNTIME_DIR, else /dev/shm, and
	// removes it as the shell exits. A run directory of the session's own
	// in memory (as a user's is) goes with the session, also when a shell
	// that did not exit on hangup had to be killed.
	runtimeDir, err := os.MkdirTemp("/dev/shm", "portguard-bench-")
	if err != nil {
		runtimeDir = home
	} else {
		defer os.RemoveAll(runtimeDir)
	}
	log := filepath.Join(home, "starts")
	wrapper := filepath.Join(home, "portguard")
	// The hook runs this, which counts the starts, then portguard itself.
	if err := os.WriteFile(wrapper, []byte(fmt.Sprintf("#!/bin/sh\necho >>'%s'\nexec '%s' \"$@\"\n", log, b.pg)), 0o755); err != nil {
		return lineCost{}, err
	}
	// What the rc file loads: the hook, run through the counting wrapper,
	// or its floor, or nothing.
	load := ""
	switch variant {
	case withHook:
		load = fmt.Sprintf(hookLoads[sh], b.pg, wrapper)
	case withFloor:
		load = floorHooks[sh]
	}
	var cmd *exec.Cmd
	switch sh {
	case "bash":
		rc := filepath.Join(home, "rc")
		// Debian's default history settings, as users have them.
		err = os.WriteFile(rc, []byte("PS1='$ '\nHISTFILE=/dev/null\nHISTCONTROL=ignoreboth\nshopt -s histappend\n"+load), 0o644)
		cmd = exec.Command("bash", "--noprofile", "--rcfile", rc, "-i")
	case "zsh":
		err = os.WriteFile(filepath.Join(home, ".zshrc"), []byte("PS1='$ '\nHISTFILE=/dev/null\n"+load), 0o644)
		cmd = exec.Command("zsh", "-i")
		cmd.Env = append(cmd.Env, "ZDOTDIR="+home)
	case "fish":
		rc := filepath.Join(home, "config.fish")
		err = os.WriteFile(rc, []byte("set -g fish_greeting\nfunction fish_prompt; echo -n '$ '; end\n"+load), 0o644)
		cmd = exec.Command("fish", "--no-config", "-i", "-C", "source "+rc)
		cmd.Env = append(cmd.Env, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data")
	}
	if err != nil {
		return lineCost{}, err
	}
	cmd.Dir = home
	cmd.Env = append(os.Environ(), append(cmd.Env, "HOME="+home, "XDG_RUNTIME_DIR="+runtimeDir, "TERM=xterm", "NO_COLOR=1")...)
	cmd.Env = slices.DeleteFunc(cmd.Env, func(e string) bool {
		return strings.HasPrefix(e, "PORTGUARD_") || strings.HasPrefix(e, "PROMPT_COMMAND=")
	})
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		return lineCost{}, err
	}
	b.started = append(b.started, cmd)
	defer func() {
		// The terminal's hangup ends the shell as closing a terminal
		// does, so that its EXIT trap runs (the bash hook removes its
		// file there); a shell still running a second later is killed.
		tty.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		b.started = slices.DeleteFunc(b.started, func(c *exec.Cmd) bool { return c == cmd })
	}()
	term := &screen{}
	go term.copyFrom(tty)

	// typeLine types line, whose output ends with mark, and waits for it.
	typeLine := func(line, mark string) error {
		if _, err := tty.Write([]byte(line + "\r")); err != nil {
			return err
		}
		return term.waitFor(mark+"\r\n", 10*time.Second)
	}
	// The output's mark is not in the typed text: echo m''1-end prints m1-end.
	if err := typeLine("echo re''ady-end", "ready-end"); err != nil {
		return lineCost{}, fmt.Errorf("the shell never started: %v\n%s", err, term.String())
	}
	serving := fmt.Sprintf("PORT=%d true", port)
	if !hook {
		// One portguard start, as the hook makes it (zsh and fish probe).
		probe := " --probe"
		if sh == "bash" {
			probe = ""
		}
		serving = fmt.Sprintf("'%s' check-line%s --shell %s -- '%s' </dev/null >/dev/null 2>&1; %s", b.pg, probe, sh, serving, serving)
	}
	var c lineCost
	for kind, format := range []string{
		"cd . && pwd >/dev/null && echo k''%d-end",
		serving + " && echo s''%d-end",
	} {
		before := lineCount(log)
		t0 := cpuTime(cmd.Process.Pid)
		for i := range lines {
			if err := typeLine(fmt.Sprintf(format, i), fmt.Sprintf("%c%d-end", "ks"[kind], i)); err != nil {
				return lineCost{}, fmt.Errorf("line %d: %v\n%s", i, err, term.tail())
			}
		}
		perLine := (cpuTime(cmd.Process.Pid) - t0) / time.Duration(lines)
		starts := lineCount(log) - before
		if kind == 0 {
			c.known, c.knownStarts = perLine, starts
		} else {
			c.serving, c.servingStarts = perLine, starts
		}
	}
	return c, nil
}

func lineCount(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

// cpuTime is the time all of pid's threads have spent on a CPU.
func cpuTime(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	for _, t := range tasks {
		f := strings.Fields(readTrim(t))
		if len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}

// screen is what a pseudo-terminal has printed.
type screen struct {
	mu   sync.Mutex
	buf  strings.Builder
	seen int // how far waitFor has looked
}

func (s *screen) copyFrom(tty *os.File) {
	p := make([]byte, 32<<10)
	for {
		n, err := tty.Read(p)
		s.mu.Lock()
		s.buf.Write(p[:n])
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// waitFor waits until want is printed after what an earlier wait found.
func (s *screen) waitFor(want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		text := s.buf.String()
		if i := strings.Index(text[s.seen:], want); i >= 0 {
			s.seen += i + len(want)
			s.mu.Unlock()
			return nil
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			return fmt.Errorf("%q never showed", want)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *screen) tail() string {
	t := s.String()
	return t[max(0, len(t)-2000):]
}
