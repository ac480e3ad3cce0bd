//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Only evidence reaches a signal: these sessions are the cases where a
// process joined the plan on a guess (a name, a parent with one child).

// A user in an interactive python3 starts a server with subprocess.Popen;
// freeing its port terminates the server, never the REPL and its state.
func TestInteractiveREPLIsNotALauncher(t *testing.T) {
	t.Parallel() // its own ports, terminal and processes
	if _, err := exec.LookPath("python3"); err != nil {
		skipOrFail(t, tierRealSources, "python3 is not installed")
	}
	port := freePort(t)
	tm := newTmux(t, "env -u PROMPT_COMMAND PS1='$ ' bash --norc --noprofile")
	tm.run("send-keys", "python3 -q", "Enter")
	waitFor(t, "the REPL", tm.screen, ">>>")
	tm.run("send-keys", fmt.Sprintf("import subprocess; srv = subprocess.Popen(['python3', '-m', 'http.server', '%d', '--bind', '127.0.0.1'])", port), "Enter")
	waitListening(t, port)
	holders := listenersOn(t, port)
	if len(holders) != 1 {
		t.Fatalf("ss lists %v on :%d", holders, port)
	}
	server, _ := strconv.Atoi(holders[0][strings.LastIndex(holders[0], " ")+1:])
	repl := parentOf(t, server)

	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantMatch(t, out, fmt.Sprintf(`watcher +python3 \(pid %d\) +\S*python3 -q +\(signalled only if it starts the server again\)`, repl))
	if strings.Contains(out, "launcher") {
		t.Fatalf("the REPL was planned as a launcher:\n%s", out)
	}
	wantDead(t, server)
	wantAlive(t, "the REPL", repl, out)
	// And it still answers.
	tm.run("send-keys", "print('still', 6*7)", "Enter")
	waitFor(t, "the REPL", tm.screen, "still 42")
}

// A launcher is one because the server is its only child: one that starts
// another job while the prompt waits is left running after Enter, and the
// job with it; the server alone is terminated.
func TestLauncherThatGainsAChildAtThePromptIsLeftRunning(t *testing.T) {
	t.Parallel() // its own ports, terminal and processes
	port := freePort(t)
	// sh -c with a command after the server's: sh stays its parent. On
	// SIGUSR1 it starts a second job.
	script := fmt.Sprintf(`trap 'sleep 300 & echo started' USR1; holder -addr 127.0.0.1:%d & wait; wait; wait`, port)
	sh := job(t, t.TempDir(), "sh", "-c", script)
	waitListening(t, port)

	cmd := exec.Command(portguardPath(t), "-p", strconv.Itoa(port), "--", "true")
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "PORTGUARD_YES=", "TERM=dumb")
	ownedBy(t, cmd)
	s := startInPty(t, cmd)
	waitFor(t, "the prompt", s.out.String, "[Y/n/r]")
	if !strings.Contains(s.out.String(), "launcher") {
		t.Fatalf("sh -c is not planned as the launcher:\n%s", s.out.String())
	}
	// The second job starts while the prompt waits.
	if err := syscall.Kill(sh.Process.Pid, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var sleeper int
	for deadline := time.Now().Add(5 * time.Second); sleeper == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, pid := range childrenOf(sh.Process.Pid) {
			if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); string(comm) == "sleep\n" {
				sleeper = pid
			}
		}
	}
	if sleeper == 0 {
		t.Fatal("the launcher did not start its second job")
	}
	err := s.answer("y\r")
	if code := exitCode(err); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.out.String())
	}
	// The terminal is read by a goroutine of its own, which may not have
	// copied the last lines when the process is reaped.
	waitFor(t, "portguard", s.out.String, fmt.Sprintf("sh (pid %d) was left running: it started sleep (pid %d) since the plan was made", sh.Process.Pid, sleeper))
	out := s.out.String()
	wantAlive(t, "the launcher", sh.Process.Pid, out)
	wantAlive(t, "its second job", sleeper, out)
	wantFree(t, port)
}

// A stopped holder (Ctrl-Z) gets SIGCONT with its SIGTERM, so that its
// handler runs and it exits within the grace, with no SIGKILL.
func TestStoppedHolderIsContinued(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t, "-exit-on-term", "0s")
	if err := syscall.Kill(h.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	out, code := runPortguard(t, "-y", "-t", "5s", "-p", strconv.Itoa(h.Port), "--", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d) with SIGTERM", h.PID()))
	wantDead(t, h.PID())
}

// never names what the user calls the server: the words of its command.
// The real Vite runs as node, and never = ["vite"] protects it.
func TestNeverMatchesTheCommandOfANodeRunServer(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port, dir := runningVite(t, "never = [\"vite\"]\n")
	out, code := portguardIn(t, dir, "-y", "--", "npm", "run", "dev")
	wantExit(t, code, exitHeld, out)
	wantOutput(t, out, `lists "vite" under never`)
	if hs := listenersOn(t, port); len(hs) == 0 {
		t.Fatalf("the vite server listed under never was terminated:\n%s", out)
	}
}

// vite --help beside the running Vite prints help: it infers no port, so
// nothing is terminated, not even with replace_earlier.
func TestRealViteHelpLeavesTheServerAlone(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port, dir := runningVite(t, "replace_earlier = true\n")
	vite := filepath.Join(dir, "node_modules", ".bin", "vite")
	for _, argv := range [][]string{
		{vite, "--port", strconv.Itoa(port), "--help"},
		{vite, "--version"},
		{"npm", "run", "dev", "--", "--help"},
	} {
		out, code := portguardIn(t, dir, append([]string{"-y", "--"}, argv...)...)
		wantExit(t, code, 0, out)
		wantOutput(t, out, "no port inferred")
		if hs := listenersOn(t, port); len(hs) == 0 {
			t.Fatalf("portguard -y -- %q terminated the running Vite:\n%s", argv, out)
		}
	}
}

// runningVite starts the real Vite with npm run dev in a project of its own
// with these settings, and returns its port and directory once it serves.
func runningVite(t *testing.T, settings string) (int, string) {
	t.Helper()
	port := freePort(t)
	dir := realProject(t, port, map[string]string{
		"package.json":    `{"name": "web", "type": "module", "scripts": {"dev": "vite"}}`,
		"vite.config.js":  "export default { server: { port: {{PORT}}, strictPort: true, host: '127.0.0.1' } }\n",
		"index.html":      "<!doctype html><title>vite app</title>\n",
		".portguard.toml": settings,
	})
	realJob(t, dir, "npm", "run", "dev")
	serves(t, port, 30*time.Second)
	return port, dir
}

// parentOf is pid's parent.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// A listening socket passed with SCM_RIGHTS to a process that is no
// relative: both hold it, both are listed and planned, and the port is
// free afterwards (one alone left it held: exit 75).
func TestSocketPassedToAnUnrelatedProcess(t *testing.T) {
	t.Parallel() // its own ports and processes
	sock := filepath.Join(t.TempDir(), "pass.sock")
	path, err := exec.LookPath("holder")
	if err != nil {
		t.Fatal(err)
	}
	receiver := exec.Command(path, "-recv-fd", sock)
	out, err := receiver.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startAndReap(t, receiver)
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.HasPrefix(string(buf[:n]), "ready") {
		t.Fatalf("the receiver said %q", buf[:n])
	}
	sender := holder(t, "-send-fd", sock)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if len(listenersOn(t, sender.Port)) == 2 {
			break
		}
	}
	if hs := listenersOn(t, sender.Port); len(hs) != 2 {
		t.Fatalf("ss lists %v on :%d, want the sender and the receiver", hs, sender.Port)
	}
	port := strconv.Itoa(sender.Port)
	which, code := runPortguard(t, "which", port)
	wantExit(t, code, 0, which)
	wantMatch(t, which, fmt.Sprintf(`\s%d\s`, receiver.Process.Pid))
	wantMatch(t, which, fmt.Sprintf(`\s%d\s`, sender.PID()))
	got, code := runPortguard(t, "-y", "-p", port, "--", "true")
	wantExit(t, code, 0, got)
	wantDead(t, sender.PID())
	wantDead(t, receiver.Process.Pid)
	wantFree(t, sender.Port)
}

// A server that binds another address than the holder's can listen beside
// it: nothing is terminated. The same address is a conflict.
func TestConflictsByAddress(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t, "-addr", "127.0.0.1:0")
	port := strconv.Itoa(h.Port)
	out, code := runPortguard(t, "-y", "--dry-run", "--", "python3", "-m", "http.server", port, "--bind", "127.0.0.2")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("holder (pid %d) holds 127.0.0.1:%s, and the command binds 127.0.0.2: both can listen; it is left alone", h.PID(), port))
	wantOutput(t, out, "would run python3")
	wantAlive(t, "the holder on another address", h.PID(), out)
	out, code = runPortguard(t, "--dry-run", "--", "python3", "-m", "http.server", port, "--bind", "127.0.0.1")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf(":%s is held by holder (pid %d)", port, h.PID()))
}

// A holder that ignores SIGTERM keeps portguard waiting out the grace: it
// says what it waits for and how long before SIGKILL, once where stderr is
// not a terminal.
func TestLongGraceSaysWhatItWaitsFor(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t, "-ignore-term")
	out, code := runPortguard(t, "-y", "-t", "3s", "-p", strconv.Itoa(h.Port), "--", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("waiting for holder (pid %d) to exit, 2s before SIGKILL; Ctrl-C stops waiting", h.PID()))
	if n := strings.Count(out, "waiting for"); n != 1 {
		t.Errorf("the waiting line was said %d times; without a terminal, once:\n%s", n, out)
	}
	wantOutput(t, out, fmt.Sprintf("terminated holder (pid %d) with SIGKILL", h.PID()))
	wantDead(t, h.PID())
}

// A pre-fork server with 60 workers, freed by a portguard started under a
// low descriptor limit: with the soft limit low, portguard raises it to
// the hard one (Go's runtime does, at start) and every worker is
// terminated; with the hard limit low too, a descriptor it cannot open is
// an error that says so, never taken for a process that exited, and
// nothing is signalled.
func TestPreForkServerUnderALowDescriptorLimit(t *testing.T) {
	t.Parallel() // its own ports and processes
	for _, tt := range []struct {
		ulimit string
		freed  bool
	}{
		{"ulimit -Sn 16", true},
		{"ulimit -n 16", false},
	} {
		h := holder(t, "-workers", "60")
		workers := holdersOf(t, h.Port)
		if len(workers) != 61 {
			t.Fatalf("want the holder and 60 workers on :%d, ss lists %d processes", h.Port, len(workers))
		}
		cmd := exec.Command("sh", "-c", tt.ulimit+` && exec "$@"`, "sh", portguardPath(t), "-y", "-p", strconv.Itoa(h.Port), "--", "true")
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "PORTGUARD_YES=")
		ownedBy(t, cmd)
		outb, err := cmd.CombinedOutput()
		out, code := string(outb), exitCode(err)
		if strings.Contains(out, "exited by itself") {
			t.Errorf("%s: a live process was reported as exited by itself:\n%s", tt.ulimit, out)
		}
		if tt.freed {
			wantExit(t, code, 0, out)
			for _, pid := range workers {
				wantDead(t, pid)
			}
			continue
		}
		wantExit(t, code, exitFailure, out)
		wantOutput(t, out, fmt.Sprintf("portguard ran out of file descriptors while checking the 61 processes it would signal for :%d", h.Port))
		wantOutput(t, out, "nothing was signalled")
		// A signalled sleep is gone within this wait.
		time.Sleep(500 * time.Millisecond)
		for _, pid := range workers {
			if !isRunning(pid) {
				t.Fatalf("%s: portguard failed (exit %d) but signalled pid %d:\n%s", tt.ulimit, code, pid, out)
			}
		}
		h.Stop()
	}
}

// holdersOf are the PIDs ss lists on the port.
func holdersOf(t *testing.T, port int) []int {
	t.Helper()
	var pids []int
	for _, h := range listenersOn(t, port) {
		if pid, _ := strconv.Atoi(h[strings.LastIndexByte(h, ' ')+1:]); pid > 0 && !slices.Contains(pids, pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// A holder that, as it exits, leaves a child in its process group that
// takes the port again: portguard says so and does not run the command
// into a held port.
func TestHolderThatLeavesAChildWhichTakesThePortAgain(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t, "-rebind-on-term")
	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(h.Port), "--", "sh", "-c", "echo the command ran")
	wantExit(t, code, exitHeld, out)
	wantMatch(t, out, fmt.Sprintf(`:%d was taken again by holder \(pid \d+\), which its holder left behind as it exited; it was not signalled`, h.Port))
	if strings.Contains(out, "the command ran") {
		t.Fatalf("the command ran into the held port:\n%s", out)
	}
}

// A server whose main thread exited: its leader is a zombie while its
// other thread holds the port. portguard names it (its command read
// through the live thread), does not tell root it "cannot see" it, and
// terminates it.
func TestZombieLeaderIsSeenAndTerminated(t *testing.T) {
	t.Parallel() // its own ports and processes
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		skipOrFail(t, tierTools, "gcc is not installed")
	}
	bin := filepath.Join(t.TempDir(), "zombie-leader")
	if out, err := exec.Command(gcc, "-O", "-pthread", "-o", bin, "testdata/zombieleader/server.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	// Not a test holder: ss cannot see this process (it reads the
	// leader's fd table, which is gone), so the holders' check against ss
	// does not apply.
	server := exec.Command(bin)
	server.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	startAndReap(t, server)
	var port int
	if _, err := fmt.Fscanf(stdout, "port %d\n", &port); err != nil {
		t.Fatalf("the server did not say its port: %v", err)
	}
	pid := server.Process.Pid
	if !waitState(pid, "Z") {
		t.Fatalf("the server's leader (pid %d) did not become a zombie", pid)
	}
	out, code := runPortguard(t, "which", strconv.Itoa(port))
	wantExit(t, code, 0, out)
	wantMatch(t, out, fmt.Sprintf(`%d\s+%d\s+\S+\s+\S+\s+127.0.0.1:%d\s+\S+\s+%s`, port, pid, port, regexp.QuoteMeta(bin)))
	out, code = runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("terminated zombie-leader (pid %d)", pid))
	wantFree(t, port)
}

// waitState waits up to 5 s for the process to be in the state (R, S, Z…).
func waitState(pid int, state string) bool {
	for range 500 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == state {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// PORT=P on the line of a command nothing is known about is only a guess:
// the dry run warns and would ask with Abort the default, and --yes leaves
// the holder alone (replace_earlier does too: TestDecide).
func TestGuessedPortIsAskedAboutWithAbortTheDefault(t *testing.T) {
	t.Parallel() // its own ports and processes
	h := holder(t)
	port := strconv.Itoa(h.Port)
	out, code := runPortguard(t, "--dry-run", "--", "PORT="+port, "sh", "-c", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("warning: :%d is only a guess (PORT=%d set on the command line", h.Port, h.Port))
	wantOutput(t, out, "would ask, then terminate holder")
	out, code = runPortguard(t, "-y", "--", "PORT="+port, "sh", "-c", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, "--yes does not act on a guess")
	if !isRunning(h.PID()) {
		t.Fatalf("--yes terminated the holder of a guessed port:\n%s", out)
	}
}

// A cloned project's `ports` reach only the commands that serve: with
// PORTGUARD_YES=1, the real npm's --version, a build script and a test
// script run and leave the holder of the project's port alone; npm start
// (a server) frees it.
func TestProjectPortsOnlyForServingCommands(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	npm, err := exec.LookPath("npm")
	if err != nil {
		skipOrFail(t, tierTools, "npm is not installed")
	}
	h := holder(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".portguard.toml"), fmt.Sprintf("ports = [%d]\n", h.Port), 0o644)
	writeFile(t, filepath.Join(dir, "package.json"), `{"name": "cloned", "scripts": {"build": "echo built", "test": "echo tested", "start": "node server.js"}}`, 0o644)
	writeFile(t, filepath.Join(dir, "server.js"), "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT || 3000, '127.0.0.1')\n", 0o644)
	for _, argv := range [][]string{{npm, "--version"}, {npm, "run", "build"}, {npm, "test"}} {
		out, code := portguardEnvIn(t, dir, []string{"PORTGUARD_YES=1"}, append([]string{"-q", "--"}, argv...)...)
		wantExit(t, code, 0, out)
		if !isRunning(h.PID()) {
			t.Fatalf("PORTGUARD_YES=1 portguard -- %s terminated the holder of the project's port:\n%s", strings.Join(argv[1:], " "), out)
		}
	}
	// npm start serves: the project's port is its port. The server exits
	// once portguard has freed the port and it listened (timeout).
	out, code := portguardEnvIn(t, dir, []string{"PORTGUARD_YES=1"}, "--dry-run", "--", npm, "start")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("would terminate holder (pid %d)", h.PID()))
}

// PORT=0 asks the system for any free port: there is nothing to free.
func TestPortZeroFreesNothing(t *testing.T) {
	t.Parallel() // its own ports and processes
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, tierTools, "node is not installed")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "server.js"), "const s = require('http').createServer().listen(process.env.PORT || 3000, '127.0.0.1', () => { console.log('listening on ' + s.address().port); s.close() })\n", 0o644)
	out, code := portguardEnvIn(t, dir, []string{"PORT=0"}, "-y", "--", node, "server.js")
	wantExit(t, code, 0, out)
	wantOutput(t, out, "no port inferred")
	wantMatch(t, out, `listening on [1-9]\d*`)
}

// portguardEnvIn runs portguard in dir, with no terminal, with these
// variables added to the test's environment.
func portguardEnvIn(t *testing.T, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(portguardPath(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"NO_COLOR=1", "PORTGUARD_YES="}, env...)...)
	ownedBy(t, cmd)
	out, err := cmd.CombinedOutput()
	return string(out), exitCode(err)
}

// Lines that will not listen, run with the real next and make beside a
// holder of the project's port: next --version, next dev --help and
// make -n dev infer no port, run, and leave the holder alone; make dev,
// which serves, would free it.
func TestRealNextAndMakeLinesThatWillNotListen(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	if _, err := exec.LookPath("make"); err != nil {
		skipOrFail(t, tierTools, "make is not installed")
	}
	h := holder(t)
	dir := realProject(t, h.Port, map[string]string{
		"package.json": `{"name": "site", "scripts": {"dev": "next dev -p {{PORT}} -H 127.0.0.1"}}`,
		"Makefile":     "dev:\n\tnpx next dev -p {{PORT}} -H 127.0.0.1\n",
	})
	next := filepath.Join(dir, "node_modules", ".bin", "next")
	for _, argv := range [][]string{
		{next, "--version"},
		{next, "dev", "--help"},
		{"make", "-n", "dev"},
		{"npm", "run", "dev", "--", "--help"},
	} {
		out, code := portguardIn(t, dir, append([]string{"-y", "--"}, argv...)...)
		wantExit(t, code, 0, out)
		wantOutput(t, out, "no port inferred")
		if !isRunning(h.PID()) {
			t.Fatalf("portguard -y -- %q terminated the holder:\n%s", argv, out)
		}
	}
	out, code := portguardIn(t, dir, "--dry-run", "-y", "--", "make", "dev")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("would terminate holder (pid %d)", h.PID()))
}

// The command inherits one descriptor for all of its claims, whatever the
// number of ports.
func TestCommandInheritsOneClaimDescriptor(t *testing.T) {
	t.Parallel() // its own ports
	var ports []string
	for range 40 {
		ports = append(ports, strconv.Itoa(freePort(t)))
	}
	out, code := runPortguard(t, "-q", "-p", strings.Join(ports, ","), "--", "sh", "-c", `ls -l /proc/$$/fd`)
	wantExit(t, code, 0, out)
	if n := strings.Count(out, "/portguard/claims"); n != 1 {
		t.Errorf("the command holds %d descriptors of the claims file, want 1:\n%s", n, out)
	}
	if strings.Contains(out, ".claim") || strings.Contains(out, ".lock") {
		t.Errorf("the command inherited a per-port file:\n%s", out)
	}
}

// Replacing an earlier copy is routine, and reads so: which copy, every
// process terminating signals, and one line of what was done. (The real
// Vite, started again with --yes.)
func TestRoutineReplaceIsThreeLines(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port, dir := runningVite(t, "")
	logPath := filepath.Join(t.TempDir(), "again.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	again := exec.Command(portguardPath(t), "-y", "--", "npm", "run", "dev")
	again.Dir, again.Env = dir, append(os.Environ(), realEnv...)
	again.Stdout, again.Stderr = logf, logf
	again.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	startAndReap(t, again)
	waitFor(t, "the second run", func() string { return readFile(logPath) }, " with SIGTERM after ")
	lines := strings.SplitN(readFile(logPath), "\n", 4)
	got := strings.Join(lines[:3], "\n")
	got = regexp.MustCompile(`pid \d+`).ReplaceAllString(got, "pid N")
	got = regexp.MustCompile(`started \d+s ago`).ReplaceAllString(got, "started Ns ago")
	got = regexp.MustCompile(`after \d+(\.\d+)?m?s`).ReplaceAllString(got, "after T")
	want := fmt.Sprintf(`an earlier "npm run dev" of this project (started Ns ago in .) holds :%d
terminating would signal node (pid N), npm (pid N) and sh (pid N)
portguard: terminated node (pid N), npm (pid N) and sh (pid N) with SIGTERM after T`, port)
	if got != want {
		t.Fatalf("the routine replace reads:\n%s\nwant:\n%s", got, want)
	}
	serves(t, port, 30*time.Second)
}
