//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Every process the tests start is ended by them, whoever forked it.
//
// A process tree is not enough to find them: a Go holder forks from any
// thread (so its children are listed under another thread's
// /proc/PID/task/TID/children), and a process whose parent was terminated
// is re-parented to init. What every such process keeps is the environment
// it started with, so the tests mark it there:
//
//   - PORTGUARD_TEST_RUN, set once for the whole test binary, is inherited
//     by everything it starts; after the last test, any live process that
//     still carries it has leaked, and the run fails naming it and the test
//     that started it;
//   - PORTGUARD_TEST_OWNER, set by ownedBy on the processes a test starts,
//     names that test; its cleanup ends every process that carries it.
const (
	testRunVar   = "PORTGUARD_TEST_RUN"
	testOwnerVar = "PORTGUARD_TEST_OWNER"
)

// markTestRun gives the test binary's environment its run mark, which the
// programs it re-executes as (portguard, holder) inherit rather than remake.
func markTestRun() {
	if os.Getenv(testRunVar) == "" {
		os.Setenv(testRunVar, fmt.Sprintf("%d.%d", os.Getpid(), time.Now().UnixNano()))
	}
}

// sweepingM runs the tests, then ends every process of this run that is
// still alive and fails the run if there was one.
type sweepingM struct{ m *testing.M }

func (s sweepingM) Run() int {
	// Everything the run writes to a temporary directory goes below one
	// of its own, removed at the end: the test directories, portguard's
	// claim files (never the user's own /tmp/portguard-UID), and what
	// "go run" leaves when a test kills it.
	tmp, err := os.MkdirTemp("", "pg")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Other users' processes (TestFaults) reach their binaries below it.
	if err := os.Chmod(tmp, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("TMPDIR", tmp)
	os.Setenv("XDG_RUNTIME_DIR", tmp)
	wine := startWindowsTier() // beside the tests, from the first: see windowsTier
	code := s.m.Run()
	wine.stop()
	reportSkipped()
	leaks := endMarked(testRunVar, os.Getenv(testRunVar))
	for _, p := range leaks {
		owner := p.owner
		if owner == "" {
			owner = "a test that did not mark it"
		}
		fmt.Fprintf(os.Stderr, "LEAK: %s left pid %d running (%s); it was killed\n", owner, p.pid, p.command)
	}
	if len(leaks) > 0 && code == 0 {
		code = 1
	}
	if err := os.RemoveAll(tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return code
}

var ownerSeq atomic.Int64

// ownedBy marks cmd, before it starts, as t's: its environment (and so its
// descendants', whatever thread forks them) carries t's owner mark, and
// when t ends every live process with that mark is killed. It returns the
// mark. A test may mark several commands; each gets a mark of its own.
func ownedBy(t testing.TB, cmd *exec.Cmd) string {
	mark := fmt.Sprintf("%s#%d", t.Name(), ownerSeq.Add(1))
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, testOwnerVar+"="+mark)
	t.Cleanup(func() { endMarked(testOwnerVar, mark) })
	return mark
}

// markedProcess is a live process found by its environment.
type markedProcess struct {
	pid     int
	owner   string // its PORTGUARD_TEST_OWNER, if any
	command string
}

// endMarked kills every live process other than this one whose starting
// environment has name=value, waits until they are gone (at most 5 s),
// and returns what it killed.
func endMarked(name, value string) []markedProcess {
	if value == "" {
		return nil
	}
	var killed []markedProcess
	// A process forked while the last one was being killed is found on
	// the next pass.
	for range 5 {
		found := findMarked(name, value)
		if len(found) == 0 {
			break
		}
		for _, p := range found {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
			if !slices.ContainsFunc(killed, func(k markedProcess) bool { return k.pid == p.pid }) {
				killed = append(killed, p)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, p := range found {
			for isRunning(p.pid) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	return killed
}

// findMarked lists the live processes whose environment has name=value.
func findMarked(name, value string) []markedProcess {
	entries, _ := os.ReadDir("/proc")
	want := []byte(name + "=" + value + "\x00")
	self := os.Getpid()
	var out []markedProcess
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || !isRunning(pid) {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
			continue
		}
		p := markedProcess{pid: pid}
		for kv := range bytes.SplitSeq(env, []byte{0}) {
			if v, ok := bytes.CutPrefix(kv, []byte(testOwnerVar+"=")); ok {
				p.owner = string(v)
			}
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		p.command = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
		out = append(out, p)
	}
	return out
}

// isRunning says whether pid exists and is not a zombie, at once (isAlive
// waits a while for a signalled process to go).
func isRunning(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// stderrCopy gives cmd, before it starts, the write end of a pipe whose
// reader copies to the test binary's stderr, and returns what to call once
// it has started. A child given os.Stderr itself hands it to whatever it
// starts, and go test waits for the binary's output until the last of them
// exits (a leaked sleep 300 kept a run waiting, then failing).
func stderrCopy(cmd *exec.Cmd) (started func()) {
	r, w, err := os.Pipe()
	if err != nil {
		cmd.Stderr = io.Discard
		return func() {}
	}
	cmd.Stderr = w
	go func() {
		_, _ = io.Copy(os.Stderr, r)
		r.Close()
	}()
	return func() { w.Close() } // the child has its own copy
}

// The test tiers that need more than Go: outside CI, a test of a tier whose
// tools are missing is skipped, and the run ends by naming each skipped
// tier and what enables it. In CI (CI=true), where .ci/run installs and
// starts them all, a missing one fails the test instead.
type tier struct{ name, enable string }

var (
	tierDocker      = tier{"Docker", "sudo testdata/docker/engine start"}
	tierRealTools   = tier{"real tools", "testdata/realtools/setup"}
	tierRelease     = tier{"release", "scripts/npm-pack.sh dist/npm"}
	tierRealSources = tier{"real servers", "apt-get install python3-flask python3-uvicorn ruby-sinatra ruby-webrick"}
	tierTools       = tier{"shells and terminals", "apt-get install gcc tmux zsh fish make zsh-autosuggestions zsh-syntax-highlighting fzf bash-completion"}
	tierRoot        = tier{"other users", "run the tests as root"}
)

var (
	skippedMu    sync.Mutex
	skippedTiers []tier
)

func skipOrFail(t *testing.T, in tier, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	skippedMu.Lock()
	if !slices.Contains(skippedTiers, in) {
		skippedTiers = append(skippedTiers, in)
	}
	skippedMu.Unlock()
	t.Skip(why)
}

// skippedLine is the run's last line when tiers were skipped: which, and
// the command that enables each.
func skippedLine() string {
	skippedMu.Lock()
	defer skippedMu.Unlock()
	if len(skippedTiers) == 0 {
		return ""
	}
	var parts []string
	for _, t := range skippedTiers {
		parts = append(parts, fmt.Sprintf("%s (%s)", t.name, t.enable))
	}
	return "portguard: skipped tiers: " + strings.Join(parts, "; ") + "; CI=true bash .ci/run installs and runs them all"
}

// reportSkipped prints the skipped tiers. go test shows a passing
// package's output only with -v, so the line also goes to the go
// command's own standard error, where the user reads the package lines
// (not its standard output, which -json makes a stream of records).
func reportSkipped() {
	line := skippedLine()
	if line == "" {
		return
	}
	fmt.Println(line)
	if testing.Verbose() {
		return
	}
	ppid := os.Getppid()
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ppid))
	if err != nil || strings.TrimSpace(string(comm)) != "go" {
		return
	}
	if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/2", ppid), os.O_WRONLY|os.O_APPEND, 0); err == nil {
		fmt.Fprintln(f, line)
		f.Close()
	}
}
