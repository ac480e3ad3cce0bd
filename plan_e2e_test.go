//go:build linux

package main

import (
	"encoding/json"
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

// These sessions free a port held inside the process trees real tools
// make, and check what was signalled: only the plan that was shown.

// job starts a command as a shell with job control would: in a process
// group of its own, ended whole when the test ends.
func job(t *testing.T, dir string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	startAndReap(t, cmd)
	return cmd
}

// childrenOf lists the live children of pid, forked by any of its
// threads: each thread's children are listed under its own task.
func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, task := range tasks {
		b, _ := os.ReadFile(task)
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// descendants lists every process below pid.
func descendants(pid int) []int {
	var out []int
	for _, c := range childrenOf(pid) {
		out = append(append(out, c), descendants(c)...)
	}
	return out
}

func wantAlive(t *testing.T, what string, pid int, out string) {
	t.Helper()
	if !isAlive(pid) {
		t.Fatalf("%s (pid %d) was terminated; it was not the port's to free:\n%s", what, pid, out)
	}
}

func TestMakeJobsKeepsTheOtherRecipe(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	if _, err := exec.LookPath("make"); err != nil {
		skipOrFail(t, tierTools, "make is not installed")
	}
	port := freePort(t)
	dir := t.TempDir()
	makefile := fmt.Sprintf("dev:\n\tholder -addr 127.0.0.1:%d\nbackup:\n\tsleep 300; echo backup done\n", port)
	if err := os.WriteFile(filepath.Join(dir, "Makefile"), []byte(makefile), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := job(t, dir, "make", "-j2", "dev", "backup")
	waitListening(t, port)
	// The backup recipe's shell starts its sleep a moment after: wait
	// for it, so that the tree compared below is the whole one.
	var before []int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		before = descendants(mk.Process.Pid)
		if slices.ContainsFunc(before, func(pid int) bool {
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
			return string(comm) == "sleep\n"
		}) || time.Now().After(deadline) {
			break
		}
	}

	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantOutput(t, out, fmt.Sprintf("left running: make (pid %d)", mk.Process.Pid))
	wantAlive(t, "make", mk.Process.Pid, out)
	wantFree(t, port)
	// Everything below make but the dev recipe still runs: the backup
	// recipe's shell and its sleep.
	after := descendants(mk.Process.Pid)
	if len(after) == 0 || len(after) >= len(before) {
		t.Fatalf("make's processes before %v, after %v: want the backup recipe alone left", before, after)
	}
	for _, pid := range after {
		if !slices.Contains(before, pid) {
			t.Fatalf("a new process %d appeared under make", pid)
		}
	}
}

func TestScriptWithTwoServersKeepsTheOther(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	web, api := freePort(t), freePort(t)
	// dev.sh: two servers with & and wait.
	script := fmt.Sprintf("holder -addr 127.0.0.1:%d & holder -addr 127.0.0.1:%d & wait", web, api)
	sh := job(t, t.TempDir(), "sh", "-c", script)
	waitListening(t, web)
	waitListening(t, api)
	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(web), "--", "true")
	wantExit(t, code, 0, out)
	wantMatch(t, out, fmt.Sprintf(`left running: sh \(pid %d\), which started it \(sh -c holder .*\): it also runs holder \(pid`, sh.Process.Pid))
	wantFree(t, web)
	wantAlive(t, "the script", sh.Process.Pid, out)
	if hs := listenersOn(t, api); len(hs) == 0 {
		t.Fatalf("the API server on :%d was terminated with the web server:\n%s", api, out)
	}
}

func TestDryRunNamesWhatTheRunSignals(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	// npm run dev → sh → node, as one job: sh is the holder's launcher.
	sh := job(t, t.TempDir(), "sh", "-c", fmt.Sprintf("holder -addr 127.0.0.1:%d; echo server exited", port))
	waitListening(t, port)

	dry, code := runPortguard(t, "--dry-run", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, dry)
	would := regexp.MustCompile(`would ask, then terminate (.*), then run true \(dry run`).FindStringSubmatch(dry)
	if would == nil {
		t.Fatalf("--dry-run does not say what it would terminate:\n%s", dry)
	}
	wantMatch(t, dry, fmt.Sprintf(`launcher +sh \(pid %d\)`, sh.Process.Pid))
	if !isAlive(sh.Process.Pid) {
		t.Fatal("--dry-run terminated something")
	}

	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	signalled := terminated(out)
	slices.Sort(signalled)
	planned := strings.Split(would[1], ", ")
	slices.Sort(planned)
	if !slices.Equal(signalled, planned) {
		t.Fatalf("--dry-run said it would terminate %q; the run terminated %q:\n%s", would[1], signalled, out)
	}
	wantDead(t, sh.Process.Pid)
}

func TestNeverProtectsALauncher(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".portguard.toml"), []byte("never = [\"sh\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	sh := job(t, dir, "sh", "-c", fmt.Sprintf("holder -addr 127.0.0.1:%d; exec sleep 60", port))
	waitListening(t, port)
	cmd := exec.Command(portguardPath(t), "-y", "-p", strconv.Itoa(port), "--", "true")
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	out := string(b)
	wantExit(t, exitCode(err), 0, out)
	wantMatch(t, out, fmt.Sprintf(`left running: sh \(pid %d\), which started it \(.*\): it is listed under never`, sh.Process.Pid))
	wantAlive(t, "the launcher listed under never", sh.Process.Pid, out)
	wantFree(t, port)
}

func TestRespawningSupervisorNamedSystemdNeedsForce(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	port := freePort(t)
	// A detached supervisor that respawns its server, named as systemd
	// --user is: portguard may stop the server, never the supervisor
	// without --force.
	sup := exec.Command("holder", "-respawn", "-name", "systemd", "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	sup.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	startAndReap(t, sup)
	waitListening(t, port)
	t.Cleanup(func() { killAll(descendants(sup.Process.Pid)) })
	if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", sup.Process.Pid)); string(comm) != "systemd\n" {
		t.Fatalf("the supervisor is named %q", comm)
	}

	out, code := runPortguard(t, "-y", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, exitNoPermission, out)
	wantMatch(t, out, fmt.Sprintf(`watcher +systemd \(pid %d\) .*\(signalled only if it starts the server again\)`, sup.Process.Pid))
	wantOutput(t, out, fmt.Sprintf("systemd (pid %d) started the server on :%d again", sup.Process.Pid, port))
	wantOutput(t, out, "system service systemd")
	wantAlive(t, "the supervisor", sup.Process.Pid, out)

	waitListening(t, port)
	out, code = runPortguard(t, "-y", "--force", "-p", strconv.Itoa(port), "--", "true")
	wantExit(t, code, 0, out)
	wantTerminated(t, out, fmt.Sprintf("systemd (pid %d)", sup.Process.Pid))
	wantDead(t, sup.Process.Pid)
	time.Sleep(100 * time.Millisecond)
	wantFree(t, port)
}

func killAll(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// listenersOn is who ss says listens on port.
func listenersOn(t *testing.T, port int) []string {
	t.Helper()
	hs, err := ssHolders("tcp", port)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func wantMatch(t *testing.T, out, re string) {
	t.Helper()
	if !regexp.MustCompile(re).MatchString(out) {
		t.Fatalf("output does not match %s:\n%s", re, out)
	}
}

// A holder chooses its own command line: escape sequences in it (clear
// the screen, write the clipboard with OSC 52, the 8-bit CSI) reach the
// terminal escaped, and --json keeps the exact bytes.
func TestHolderStringsAreSanitised(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	evil := "srv\x1b[2J\x1b]52;c;aGk=\x07\u009b31m"
	// The holder runs a command while it holds the port: its own
	// command line carries the string.
	h := holder(t, "sh", "-c", "sleep 300", evil)
	t.Cleanup(func() { killAll(descendants(h.PID())) }) // runs before the holder's own
	port := strconv.Itoa(h.Port)
	for _, args := range [][]string{{"which", port}, {"--dry-run", "-p", port, "--", "true"}, {"-p", port, "--", "true"}} {
		out, _ := runPortguard(t, args...)
		if strings.ContainsAny(out, "\x1b\x07\u009b") {
			t.Fatalf("portguard %v wrote raw control characters:\n%q", args, out)
		}
		wantOutput(t, out, `srv\x1b[2J\x1b]52;c;aGk=\x07\u009b31m`)
	}
	out, _ := runPortguard(t, "which", "--json", port)
	var records []holderRecord
	if err := json.Unmarshal([]byte(out), &records); err != nil || len(records) != 1 || !slices.Contains(records[0].Command, evil) {
		t.Fatalf("which --json does not keep the exact bytes: %v\n%s", err, out)
	}
}

// Another user plants a .portguard.toml naming the user's database port in
// a shared sticky directory: portguard run below it, or in it, never reads
// it, so nothing of the user's is terminated.
func TestSettingsPlantedInASharedDirectoryAreIgnored(t *testing.T) {
	t.Parallel() // its own ports, project and processes
	db := holder(t)
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o1777); err != nil { // as /tmp is
		t.Fatal(err)
	}
	planted := filepath.Join(shared, ".portguard.toml")
	if err := os.WriteFile(planted, []byte(fmt.Sprintf("ports = [%d]\n", db.Port)), 0o644); err != nil {
		t.Fatal(err)
	}
	// And a package.json whose dev script names the same port.
	pkg := filepath.Join(shared, "package.json")
	if err := os.WriteFile(pkg, []byte(fmt.Sprintf(`{"scripts": {"dev": "vite --port %d"}}`, db.Port)), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		uid := int(testUser(t, "pg-alice", 54321))
		for _, f := range []string{planted, pkg} {
			if err := os.Chown(f, uid, uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	mine := filepath.Join(shared, "mine")
	if err := os.Mkdir(mine, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{shared, mine} {
		cmd := exec.Command(portguardPath(t), "-y", "--", "npm", "run", "dev")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "PORTGUARD_YES=")
		b, _ := cmd.CombinedOutput() // npm then fails to find vite: the command's own exit
		out := string(b)
		wantOutput(t, out, "no port inferred")
		wantAlive(t, "the user's database", db.PID(), out)
	}
}
